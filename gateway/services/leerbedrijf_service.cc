// Leerbedrijf service: gSOAP structs in, typed domain requests to the backend, gSOAP structs out.
// Identifiers are parsed here, once; a malformed one becomes a Melding naming the field.
#include "gateway/services/leerbedrijf_service.h"


#include "gateway/services/mappings.h"
#include "gateway/services/service_support.h"

namespace edugate::gateway {
namespace {

namespace lb = edugate::leerbedrijf;

using namespace support;

gem__Adres* put_adres(Arena& a, const lb::Adres& in) {
  auto* g = a.make<gem__Adres>();
  g->Straat = in.straat;
  g->Huisnummer = in.huisnummer;
  g->Postcode = in.postcode;
  g->Plaats = in.plaats;
  return g;
}

lb__LeerbedrijfSamenvatting* put_samenvatting(Arena& a, const lb::Samenvatting& s) {
  auto* g = a.make<lb__LeerbedrijfSamenvatting>();
  g->LeerbedrijfID = s.id.str();
  g->Naam = s.naam;
  if (s.kvk) g->KvkNummer = a.make<std::string>(s.kvk->str());
  if (s.vestiging) g->Vestigingsnummer = a.make<std::string>(s.vestiging->str());
  g->Adres = put_adres(a, s.adres);
  g->AfstandKm = a.opt(s.afstand_km);
  return g;
}

class LeerbedrijfService final : public HandlerService {
 public:
  LeerbedrijfService(ServiceContract c, std::shared_ptr<lb::Backend> b) : HandlerService(std::move(c)), backend_(std::move(b)) {
    set_handlers({
        {"IdentificeerLeerbedrijf", [this](SoapScope& s, const CallContext& c) { return identificeer(s, c); }},
        {"VerifieerErkenning", [this](SoapScope& s, const CallContext& c) { return verifieer(s, c); }},
        {"GeefLeerbedrijfDetails", [this](SoapScope& s, const CallContext& c) { return details(s, c); }},
        {"ZoekLeerbedrijven", [this](SoapScope& s, const CallContext& c) { return zoek(s, c); }},
        {"VoordragenErkenning", [this](SoapScope& s, const CallContext& c) { return voordragen(s, c); }},
        {"HaalMutatiesOp", [this](SoapScope& s, const CallContext& c) { return mutaties(s, c); }},
    });
    set_writes(backend_.get(), {"VoordragenErkenning"});
  }

 private:
  static Error invalid(SoapScope& s) { return invalid_body(s); }
  template <class T>
  static Outcome write(SoapScope& s, T& resp, int (*writer)(soap*, const T*), const Meldingen& m) {
    return support::write(s, resp, writer, audit_result(m));
  }

  Result<Outcome> identificeer(SoapScope& s, const CallContext&) {
    _lb__IdentificeerLeerbedrijfVerzoek req;
    if (soap_read__lb__IdentificeerLeerbedrijfVerzoek(s.get(), &req) != SOAP_OK) return invalid(s);
    Meldingen m;
    lb::IdentificeerVerzoek v;
    if (auto t = nonempty(req.LeerbedrijfID)) v.id = field(LeerbedrijfId::parse(*t), "LeerbedrijfID", m);
    if (auto t = nonempty(req.KvkNummer)) v.kvk = field(KvkNummer::parse(*t), "KvkNummer", m);
    if (auto t = nonempty(req.Vestigingsnummer)) v.vestiging = field(Vestigingsnummer::parse(*t), "Vestigingsnummer", m);
    v.naam = nonempty(req.Naam);
    v.plaats = nonempty(req.Plaats);
    v.postcode = nonempty(req.Postcode);
    if (v.vestiging && !v.kvk && !nonempty(req.KvkNummer))
      m.push_back(fout(rules::CRITERIUM, "Vestigingsnummer alleen samen met KvkNummer", "Vestigingsnummer"));
    if (m.empty() && !v.id && !v.kvk && !v.naam && !v.postcode)
      m.push_back(fout(rules::CRITERIUM, "geef LeerbedrijfID, KvkNummer, of Naam met Plaats of Postcode", "LeerbedrijfID"));
    if (m.empty() && v.naam && !v.plaats && !v.postcode && !v.id && !v.kvk)
      m.push_back(fout(rules::CRITERIUM, "zoeken op Naam vraagt ook Plaats of Postcode", "Plaats"));
    lb::IdentificeerAntwoord a;
    if (m.empty()) a = backend_->identificeer(v);
    a.meldingen.insert(a.meldingen.begin(), m.begin(), m.end());
    Arena ar;
    _lb__IdentificeerLeerbedrijfAntwoord resp;
    for (const auto& x : a.leerbedrijven) resp.Leerbedrijf.push_back(put_samenvatting(ar, x));
    put_meldingen(ar, a.meldingen, resp.Melding);
    return write(s, resp, &soap_write__lb__IdentificeerLeerbedrijfAntwoord, a.meldingen);
  }

  Result<Outcome> verifieer(SoapScope& s, const CallContext&) {
    _lb__VerifieerErkenningVerzoek req;
    if (soap_read__lb__VerifieerErkenningVerzoek(s.get(), &req) != SOAP_OK) return invalid(s);
    Meldingen m;
    auto id = field(LeerbedrijfId::parse(req.LeerbedrijfID), "LeerbedrijfID", m);
    auto crebo = field(Crebo::parse(req.Crebo), "Crebo", m);
    auto leerweg = field(parse_leerweg(req.Leerweg), "Leerweg", m);
    std::optional<Datum> peildatum = req.Peildatum ? datum_field(*req.Peildatum, "Peildatum", m) : today_utc();
    lb::VerifieerAntwoord a;
    if (m.empty()) a = backend_->verifieer({*id, *crebo, *leerweg, *peildatum});
    a.meldingen.insert(a.meldingen.begin(), m.begin(), m.end());
    Arena ar;
    _lb__VerifieerErkenningAntwoord resp;
    resp.Erkend = a.erkend;
    if (peildatum) resp.Peildatum = ar.make<std::string>(peildatum->str());
    if (!a.signaal_code.empty()) resp.SignaalCode = ar.make<std::string>(a.signaal_code);
    if (!a.signaal_omschrijving.empty()) resp.SignaalOmschrijving = ar.make<std::string>(a.signaal_omschrijving);
    if (a.begindatum) resp.Begindatum = ar.make<std::string>(a.begindatum->str());
    if (a.einddatum) resp.Einddatum = ar.make<std::string>(a.einddatum->str());
    put_meldingen(ar, a.meldingen, resp.Melding);
    return write(s, resp, &soap_write__lb__VerifieerErkenningAntwoord, a.meldingen);
  }

  Result<Outcome> details(SoapScope& s, const CallContext&) {
    _lb__GeefLeerbedrijfDetailsVerzoek req;
    if (soap_read__lb__GeefLeerbedrijfDetailsVerzoek(s.get(), &req) != SOAP_OK) return invalid(s);
    Meldingen m;
    auto id = field(LeerbedrijfId::parse(req.LeerbedrijfID), "LeerbedrijfID", m);
    lb::DetailsAntwoord a;
    if (m.empty()) a = backend_->details(*id);
    a.meldingen.insert(a.meldingen.begin(), m.begin(), m.end());
    Arena ar;
    _lb__GeefLeerbedrijfDetailsAntwoord resp;
    if (a.leerbedrijf) {
      const auto& d = *a.leerbedrijf;
      auto* g = ar.make<lb__LeerbedrijfDetails>();
      g->LeerbedrijfID = d.samenvatting.id.str();
      g->Naam = d.samenvatting.naam;
      if (d.samenvatting.kvk) g->KvkNummer = ar.make<std::string>(d.samenvatting.kvk->str());
      if (d.samenvatting.vestiging) g->Vestigingsnummer = ar.make<std::string>(d.samenvatting.vestiging->str());
      g->Adres = put_adres(ar, d.samenvatting.adres);
      if (!d.telefoon.empty()) g->Telefoon = ar.make<std::string>(d.telefoon);
      if (!d.website.empty()) g->Website = ar.make<std::string>(d.website);
      for (const auto& e : d.erkenningen) {
        auto* x = ar.make<lb__Erkenning>();
        x->Crebo = e.crebo.str();
        x->Kwalificatie = e.kwalificatie;
        x->Leerweg = to_string(e.leerweg);
        x->Begindatum = e.begindatum.str();
        if (e.einddatum) x->Einddatum = ar.make<std::string>(e.einddatum->str());
        x->Status = lb::to_string(e.status);
        g->Erkenning.push_back(x);
      }
      for (const auto& p : d.praktijkopleiders) {
        auto* x = ar.make<lb__Praktijkopleider>();
        x->PraktijkopleiderID = p.id;
        x->Naam = p.naam;
        if (!p.functie.empty()) x->Functie = ar.make<std::string>(p.functie);
        if (!p.email.empty()) x->Email = ar.make<std::string>(p.email);
        g->Praktijkopleider.push_back(x);
      }
      for (const auto& l : d.leerplaatsen) {
        auto* x = ar.make<lb__Leerplaats>();
        x->Crebo = l.crebo.str();
        x->Leerweg = to_string(l.leerweg);
        x->Aantal = l.aantal;
        x->Beschikbaar = l.beschikbaar;
        g->Leerplaats.push_back(x);
      }
      resp.Leerbedrijf = g;
    }
    put_meldingen(ar, a.meldingen, resp.Melding);
    return write(s, resp, &soap_write__lb__GeefLeerbedrijfDetailsAntwoord, a.meldingen);
  }

  Result<Outcome> zoek(SoapScope& s, const CallContext&) {
    _lb__ZoekLeerbedrijvenVerzoek req;
    if (soap_read__lb__ZoekLeerbedrijvenVerzoek(s.get(), &req) != SOAP_OK) return invalid(s);
    Meldingen m;
    lb::ZoekVerzoek v;
    v.naam = nonempty(req.Naam);
    v.plaats = nonempty(req.Plaats);
    if (req.MaxAfstandKm) {
      if (*req.MaxAfstandKm < 1 || *req.MaxAfstandKm > 300)
        m.push_back(fout(rules::ONGELDIG_AFSTAND, "MaxAfstandKm moet tussen 1 en 300 liggen", "MaxAfstandKm"));
      else if (!v.plaats)
        m.push_back(fout(rules::CRITERIUM, "MaxAfstandKm vraagt ook Plaats", "Plaats"));
      else
        v.max_afstand_km = *req.MaxAfstandKm;
    }
    if (auto t = nonempty(req.Crebo)) v.crebo = field(Crebo::parse(*t), "Crebo", m);
    if (auto t = nonempty(req.Leerweg)) v.leerweg = field(parse_leerweg(*t), "Leerweg", m);
    v.alleen_vrije_leerplaatsen = req.AlleenVrijeLeerplaatsen && *req.AlleenVrijeLeerplaatsen;
    if (req.Pagina) {
      if (*req.Pagina < 1) m.push_back(fout(rules::ONGELDIG_PAGINA, "Pagina begint bij 1", "Pagina"));
      else v.pagina = *req.Pagina;
    }
    if (req.PaginaGrootte) {
      if (*req.PaginaGrootte < 1 || *req.PaginaGrootte > 100)
        m.push_back(fout(rules::ONGELDIG_PAGINAGROOTTE, "PaginaGrootte moet tussen 1 en 100 liggen", "PaginaGrootte"));
      else v.pagina_grootte = *req.PaginaGrootte;
    }
    if (m.empty() && !v.naam && !v.plaats && !v.crebo)
      m.push_back(fout(rules::CRITERIUM, "geef ten minste Naam, Plaats of Crebo", "Naam"));
    lb::ZoekAntwoord a;
    a.pagina = v.pagina;
    a.pagina_grootte = v.pagina_grootte;
    if (m.empty()) a = backend_->zoek(v);
    a.meldingen.insert(a.meldingen.begin(), m.begin(), m.end());
    Arena ar;
    _lb__ZoekLeerbedrijvenAntwoord resp;
    resp.TotaalAantal = a.totaal;
    resp.Pagina = a.pagina;
    resp.PaginaGrootte = a.pagina_grootte;
    for (const auto& x : a.leerbedrijven) resp.Leerbedrijf.push_back(put_samenvatting(ar, x));
    put_meldingen(ar, a.meldingen, resp.Melding);
    return write(s, resp, &soap_write__lb__ZoekLeerbedrijvenAntwoord, a.meldingen);
  }

  Result<Outcome> voordragen(SoapScope& s, const CallContext& ctx) {
    _lb__VoordragenErkenningVerzoek req;
    if (soap_read__lb__VoordragenErkenningVerzoek(s.get(), &req) != SOAP_OK) return invalid(s);
    Meldingen m;
    auto kvk = field(KvkNummer::parse(req.KvkNummer), "KvkNummer", m);
    std::optional<Vestigingsnummer> vest;
    if (auto t = nonempty(req.Vestigingsnummer)) vest = field(Vestigingsnummer::parse(*t), "Vestigingsnummer", m);
    auto crebo = field(Crebo::parse(req.Crebo), "Crebo", m);
    auto leerweg = field(parse_leerweg(req.Leerweg), "Leerweg", m);
    required(req.Naam, "Naam", m);
    if (req.Adres) {
      required(req.Adres->Straat, "Adres/Straat", m);
      required(req.Adres->Huisnummer, "Adres/Huisnummer", m);
      required(req.Adres->Postcode, "Adres/Postcode", m);
      required(req.Adres->Plaats, "Adres/Plaats", m);
    }
    if (req.Contactpersoon) {
      required(req.Contactpersoon->Naam, "Contactpersoon/Naam", m);
      if (req.Contactpersoon->Email.find('@') == std::string::npos)
        m.push_back(fout(rules::ONGELDIG_EMAIL, "Contactpersoon/Email is geen e-mailadres", "Contactpersoon/Email"));
    }
    lb::VoordrachtAntwoord a;
    if (m.empty() && req.Adres && req.Contactpersoon) {
      lb::VoordrachtVerzoek v{ctx.message_id, ctx.auth.on_behalf_of, *kvk, vest, req.Naam,
                              {req.Adres->Straat, req.Adres->Huisnummer, req.Adres->Postcode, req.Adres->Plaats},
                              *crebo, *leerweg,
                              {req.Contactpersoon->Naam, req.Contactpersoon->Email,
                               req.Contactpersoon->Telefoon ? *req.Contactpersoon->Telefoon : std::string()},
                              req.Toelichting ? *req.Toelichting : std::string()};
      a = backend_->voordragen(v);
    }
    a.meldingen.insert(a.meldingen.begin(), m.begin(), m.end());
    Arena ar;
    _lb__VoordragenErkenningAntwoord resp;
    if (!a.voordracht_id.empty()) resp.VoordrachtID = ar.make<std::string>(a.voordracht_id);
    if (!a.status.empty()) resp.Status = ar.make<std::string>(a.status);
    put_meldingen(ar, a.meldingen, resp.Melding);
    return write(s, resp, &soap_write__lb__VoordragenErkenningAntwoord, a.meldingen);
  }

  Result<Outcome> mutaties(SoapScope& s, const CallContext&) {
    _lb__HaalMutatiesOpVerzoek req;
    if (soap_read__lb__HaalMutatiesOpVerzoek(s.get(), &req) != SOAP_OK) return invalid(s);
    Meldingen m;
    lb::MutatiesVerzoek v;
    if (req.VanafVolgnummer < 0) m.push_back(fout(rules::ONGELDIG_VOLGNUMMER, "VanafVolgnummer is negatief", "VanafVolgnummer"));
    v.vanaf_volgnummer = req.VanafVolgnummer;
    if (req.MaxAantal) {
      if (*req.MaxAantal < 1 || *req.MaxAantal > 1000)
        m.push_back(fout(rules::ONGELDIG_MAXAANTAL, "MaxAantal moet tussen 1 en 1000 liggen", "MaxAantal"));
      else v.max_aantal = *req.MaxAantal;
    }
    lb::MutatiesAntwoord a;
    if (m.empty()) a = backend_->mutaties(v);
    a.meldingen.insert(a.meldingen.begin(), m.begin(), m.end());
    Arena ar;
    _lb__HaalMutatiesOpAntwoord resp;
    resp.LaatsteVolgnummer = a.laatste_volgnummer;
    for (const auto& x : a.mutaties) resp.Mutatie.push_back(mapping::put_mutatie(ar, x));
    put_meldingen(ar, a.meldingen, resp.Melding);
    return write(s, resp, &soap_write__lb__HaalMutatiesOpAntwoord, a.meldingen);
  }

  std::shared_ptr<lb::Backend> backend_;
};

}  // namespace

std::unique_ptr<Service> make_leerbedrijf_service(ServiceContract contract, std::shared_ptr<lb::Backend> backend) {
  return std::make_unique<LeerbedrijfService>(std::move(contract), std::move(backend));
}

}  // namespace edugate::gateway
