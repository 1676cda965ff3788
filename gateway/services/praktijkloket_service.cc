// Praktijkloket service: the SIS makes deelnemers, begeleidingsdocumenten and praktijkverklaringen
// at SBB. Every field is parsed here (a Melding naming it when it does not parse); the business
// rules are the backend's. The school is the wsa:From OIN; a vendor with a mandate acts as it.
#include "gateway/services/praktijkloket_service.h"

#include <charconv>

#include "adapters/pdf/praktijkloket_pdf.h"
#include "gateway/services/service_support.h"

namespace edugate::gateway {
namespace {

namespace pl = edugate::praktijkloket;
using namespace support;

// ---------------------------------------------------------------------------------------------
// Parsing

std::optional<pl::Id> parse_id(const std::string& text, const std::string& veld, Meldingen& m) {
  pl::Id v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v <= 0 || v > (pl::Id{1} << 53)) {
    m.push_back(fout(text.empty() ? rules::VERPLICHT : rules::ONGELDIG_ID, veld + " is geen geldig nummer", veld));
    return std::nullopt;
  }
  return v;
}

std::string opt(const std::string* s) { return s ? *s : std::string(); }

void max_len(const std::string& v, std::size_t n, const std::string& veld, Meldingen& m) {
  if (v.size() > n) m.push_back(fout(rules::TE_LANG, veld + " is langer dan " + std::to_string(n) + " tekens", veld));
}

void check_onderwijsvorm(const std::string& v, const std::string& veld, Meldingen& m) {
  for (const char* o : pl::kOnderwijsvormen)
    if (v == o) return;
  m.push_back(fout(rules::ONGELDIG_ONDERWIJSVORM, veld + " moet mbo, vso, praktijkonderwijs of overig zijn", veld));
}

std::optional<pl::Deelnemergegevens> parse_deelnemer(const pl__Deelnemergegevens& g, const std::string& p, Meldingen& m) {
  std::size_t before = m.size();
  required(g.Voornaam, p + "Voornaam", m);
  required(g.Achternaam, p + "Achternaam", m);
  max_len(g.Voornaam, 100, p + "Voornaam", m);
  max_len(g.Achternaam, 100, p + "Achternaam", m);
  max_len(opt(g.Tussenvoegsel), 20, p + "Tussenvoegsel", m);
  max_len(opt(g.Kenmerk), 64, p + "Kenmerk", m);
  auto geboren = datum_field(g.Geboortedatum, p + "Geboortedatum", m);
  if (g.Email && !g.Email->empty() && !plausible_email(*g.Email))
    m.push_back(fout(rules::ONGELDIG_EMAIL, p + "Email is geen e-mailadres", p + "Email"));
  check_onderwijsvorm(g.Onderwijsvorm, p + "Onderwijsvorm", m);
  if (m.size() != before) return std::nullopt;
  return pl::Deelnemergegevens{g.Voornaam, opt(g.Tussenvoegsel), g.Achternaam, *geboren, opt(g.Email), g.Onderwijsvorm,
                               opt(g.Kenmerk)};
}

std::optional<pl::Begeleidingsdocumentgegevens> parse_document(const pl__Begeleidingsdocumentgegevens& g, Meldingen& m) {
  const std::string p = "Begeleidingsdocument/";
  std::size_t before = m.size();
  auto deelnemer = parse_id(g.DeelnemerID, p + "DeelnemerID", m);
  auto lb = field(LeerbedrijfId::parse(g.LeerbedrijfID), p + "LeerbedrijfID", m);
  required(g.PraktijkopleiderID, p + "PraktijkopleiderID", m);
  auto begin = datum_field(g.Begindatum, p + "Begindatum", m);
  auto eind = datum_field(g.Einddatum, p + "Einddatum", m);
  std::vector<pl::GekozenKwalificatie> ks;
  if (g.Kwalificatie.size() > 20) m.push_back(fout(rules::TE_VEEL, "ten hoogste 20 kwalificaties per document", p + "Kwalificatie"));
  for (std::size_t i = 0; i < g.Kwalificatie.size() && i < 20; ++i) {
    const auto* k = g.Kwalificatie[i];
    const std::string kp = p + "Kwalificatie[" + std::to_string(i + 1) + "]/";
    auto crebo = field(Crebo::parse(k->Crebo), kp + "Crebo", m);
    pl::GekozenKwalificatie gk{crebo.value_or(*Crebo::parse("00000")), opt(k->Versie), {}};
    if (k->Werkproces.size() > 200) m.push_back(fout(rules::TE_VEEL, "ten hoogste 200 werkprocessen per kwalificatie", kp + "Werkproces"));
    for (std::size_t j = 0; j < k->Werkproces.size() && j < 200; ++j) {
      const auto* w = k->Werkproces[j];
      required(w->Code, kp + "Werkproces[" + std::to_string(j + 1) + "]/Code", m);
      gk.werkprocessen.push_back({w->Code, w->ToonGedrag && *w->ToonGedrag});
    }
    ks.push_back(std::move(gk));
  }
  if (m.size() != before) return std::nullopt;
  return pl::Begeleidingsdocumentgegevens{*deelnemer, *lb, g.PraktijkopleiderID, *begin, *eind, std::move(ks)};
}

std::optional<pl::Praktijkverklaringgegevens> parse_verklaring(const pl__Praktijkverklaringgegevens& g, Meldingen& m) {
  const std::string p = "Praktijkverklaring/";
  std::size_t before = m.size();
  auto deelnemer = parse_id(g.DeelnemerID, p + "DeelnemerID", m);
  auto lb = field(LeerbedrijfId::parse(g.LeerbedrijfID), p + "LeerbedrijfID", m);
  check_onderwijsvorm(g.Onderwijsvorm, p + "Onderwijsvorm", m);
  auto begin = datum_field(g.Begindatum, p + "Begindatum", m);
  auto eind = datum_field(g.Einddatum, p + "Einddatum", m);
  // BpvUren: an integer, nothing else (no "40.5", no "1e3"); the range is the backend's rule.
  int uren = 0;
  {
    const std::string& t = g.BpvUren;
    auto [q, ec] = std::from_chars(t.data(), t.data() + t.size(), uren);
    if (t.empty() || ec != std::errc() || q != t.data() + t.size())
      m.push_back(fout(rules::PL_BPV_UREN, "BpvUren moet een geheel getal van 10 tot en met 10000 zijn", p + "BpvUren"));
  }
  std::optional<pl::Id> document;
  if (g.BegeleidingsdocumentID) document = parse_id(*g.BegeleidingsdocumentID, p + "BegeleidingsdocumentID", m);
  std::vector<pl::BehaaldWerkproces> wps;
  if (g.Werkproces.size() > 500) m.push_back(fout(rules::TE_VEEL, "ten hoogste 500 werkprocessen", p + "Werkproces"));
  for (std::size_t i = 0; i < g.Werkproces.size() && i < 500; ++i) {
    const auto* w = g.Werkproces[i];
    const std::string wp = p + "Werkproces[" + std::to_string(i + 1) + "]/";
    auto crebo = field(Crebo::parse(w->Crebo), wp + "Crebo", m);
    required(w->Code, wp + "Code", m);
    if (crebo) wps.push_back({*crebo, opt(w->Versie), w->Code});
  }
  std::optional<std::string> logo;
  if (g.Bedrijfslogo && g.Bedrijfslogo->__ptr && g.Bedrijfslogo->__size > 0) {
    std::string bytes(reinterpret_cast<const char*>(g.Bedrijfslogo->__ptr), static_cast<std::size_t>(g.Bedrijfslogo->__size));
    if (auto st = adapters::pdf::check_logo(bytes, pl::kMaxLogoBytes); !st)
      m.push_back(fout(rules::PL_LOGO, st.error().message, p + "Bedrijfslogo"));
    else logo = std::move(bytes);
  }
  std::optional<std::string> po;
  if (g.PraktijkopleiderID && !g.PraktijkopleiderID->empty()) po = *g.PraktijkopleiderID;
  if (m.size() != before) return std::nullopt;
  return pl::Praktijkverklaringgegevens{*deelnemer, *lb,      po,   g.Onderwijsvorm,  *begin, *eind,
                                        uren,       document, wps,  std::move(logo), g.Branchelogo};
}

// ---------------------------------------------------------------------------------------------
// Answers

pl__Deelnemer* put_deelnemer(Arena& a, const pl::Deelnemer& d) {
  auto* g = a.make<pl__Deelnemer>();
  g->DeelnemerID = std::to_string(d.id);
  g->Status = d.archief ? "archief" : "actueel";
  auto* x = a.make<pl__Deelnemergegevens>();
  const auto& s = d.gegevens;
  x->Voornaam = s.voornaam;
  x->Tussenvoegsel = a.str(s.tussenvoegsel);
  x->Achternaam = s.achternaam;
  x->Geboortedatum = s.geboortedatum.str();
  x->Email = a.str(s.email);
  x->Onderwijsvorm = s.onderwijsvorm;
  x->Kenmerk = a.str(s.kenmerk);
  g->Gegevens = x;
  return g;
}

pl__Praktijkopleider* put_opleider(Arena& a, const pl::Praktijkopleider& p) {
  auto* g = a.make<pl__Praktijkopleider>();
  g->PraktijkopleiderID = p.id;
  g->LeerbedrijfID = p.leerbedrijf.str();
  auto* x = a.make<pl__Praktijkopleidergegevens>();
  x->Naam = p.gegevens.naam;
  x->Functie = a.str(p.gegevens.functie);
  x->Email = a.str(p.gegevens.email);
  x->Telefoon = a.str(p.gegevens.telefoon);
  g->Gegevens = x;
  if (p.deelnemer) g->DeelnemerID = a.make<std::string>(std::to_string(*p.deelnemer));
  return g;
}

pl__Begeleidingsdocument* put_document(Arena& a, const pl::Begeleidingsdocument& d) {
  auto* g = a.make<pl__Begeleidingsdocument>();
  g->DocumentID = std::to_string(d.id);
  g->Status = d.afgerond ? "afgerond" : "concept";
  g->Aangemaakt = d.aangemaakt;
  g->Afgerond = a.str(d.afgerond_op);
  auto* x = a.make<pl__Begeleidingsdocumentgegevens>();
  x->DeelnemerID = std::to_string(d.gegevens.deelnemer);
  x->LeerbedrijfID = d.gegevens.leerbedrijf.str();
  x->PraktijkopleiderID = d.gegevens.praktijkopleider;
  x->Begindatum = d.gegevens.begin.str();
  x->Einddatum = d.gegevens.eind.str();
  for (const auto& k : d.gegevens.kwalificaties) {
    auto* gk = a.make<pl__GekozenKwalificatie>();
    gk->Crebo = k.crebo.str();
    gk->Versie = a.str(k.versie);
    for (const auto& w : k.werkprocessen) {
      auto* gw = a.make<pl__GekozenWerkproces>();
      gw->Code = w.code;
      gw->ToonGedrag = a.make<bool>(w.toon_gedrag);
      gk->Werkproces.push_back(gw);
    }
    x->Kwalificatie.push_back(gk);
  }
  g->Gegevens = x;
  return g;
}

pl__Praktijkverklaring* put_verklaring(Arena& a, const pl::Praktijkverklaring& v) {
  auto* g = a.make<pl__Praktijkverklaring>();
  const auto& d = v.gegevens;
  g->VerklaringID = std::to_string(v.id);
  g->Status = v.definitief ? "definitief" : "concept";
  g->DeelnemerID = std::to_string(d.deelnemer);
  g->LeerbedrijfID = d.leerbedrijf.str();
  if (d.praktijkopleider) g->PraktijkopleiderID = a.make<std::string>(*d.praktijkopleider);
  g->Onderwijsvorm = d.onderwijsvorm;
  g->Begindatum = d.begin.str();
  g->Einddatum = d.eind.str();
  g->BpvUren = d.bpv_uren;
  for (const auto& w : d.werkprocessen) {
    auto* gw = a.make<pl__BehaaldWerkproces>();
    gw->Crebo = w.crebo.str();
    gw->Versie = a.str(w.versie);
    gw->Code = w.code;
    g->Werkproces.push_back(gw);
  }
  g->Branchelogo = d.branchelogos;
  g->Aangemaakt = v.aangemaakt;
  g->Definitief = a.str(v.definitief_op);
  return g;
}

pl__Kwalificatie* put_kwalificatie(Arena& a, const pl::Kwalificatie& k) {
  auto* g = a.make<pl__Kwalificatie>();
  g->Crebo = k.crebo.str();
  g->Versie = k.versie;
  g->Naam = k.naam;
  g->Dossier = k.dossier;
  g->GeldigVanaf = k.geldig_vanaf;
  g->GeldigTot = a.str(k.geldig_tot);
  g->Actueel = k.actueel;
  return g;
}

xsd__base64Binary* put_bytes(Arena& a, const std::string& bytes) {
  auto* b = a.make<xsd__base64Binary>();
  auto* copy = a.make<std::string>(bytes);
  b->__ptr = reinterpret_cast<unsigned char*>(copy->data());
  b->__size = static_cast<int>(copy->size());
  return b;
}

class PraktijkloketService final : public HandlerService {
 public:
  PraktijkloketService(ServiceContract c, std::shared_ptr<pl::Backend> b) : HandlerService(std::move(c)), backend_(std::move(b)) {
    set_handlers({
        {"VoegDeelnemerToe", [this](SoapScope& s, const CallContext& c) { return voeg_toe(s, c); }},
        {"VoegDeelnemersToe", [this](SoapScope& s, const CallContext& c) { return voeg_bulk_toe(s, c); }},
        {"WijzigDeelnemer", [this](SoapScope& s, const CallContext& c) { return wijzig_deelnemer(s, c); }},
        {"ArchiveerDeelnemer", [this](SoapScope& s, const CallContext& c) { return archiveer(s, c, true); }},
        {"HerstelDeelnemer", [this](SoapScope& s, const CallContext& c) { return archiveer(s, c, false); }},
        {"VerwijderDeelnemer", [this](SoapScope& s, const CallContext& c) { return verwijder_deelnemer(s, c); }},
        {"ZoekDeelnemers", [this](SoapScope& s, const CallContext& c) { return zoek(s, c); }},
        {"GeefPraktijkopleiders", [this](SoapScope& s, const CallContext& c) { return opleiders(s, c); }},
        {"VoegPraktijkopleiderToe", [this](SoapScope& s, const CallContext& c) { return opleider_toe(s, c); }},
        {"MaakBegeleidingsdocument", [this](SoapScope& s, const CallContext& c) { return maak_document(s, c); }},
        {"WijzigBegeleidingsdocument", [this](SoapScope& s, const CallContext& c) { return wijzig_document(s, c); }},
        {"RondBegeleidingsdocumentAf", [this](SoapScope& s, const CallContext& c) { return rond_af(s, c); }},
        {"GeefBegeleidingsdocument", [this](SoapScope& s, const CallContext& c) { return geef_document(s, c); }},
        {"MaakPraktijkverklaring", [this](SoapScope& s, const CallContext& c) { return maak_verklaring(s, c); }},
        {"WijzigPraktijkverklaring", [this](SoapScope& s, const CallContext& c) { return wijzig_verklaring(s, c); }},
        {"MaakPraktijkverklaringDefinitief", [this](SoapScope& s, const CallContext& c) { return definitief(s, c); }},
        {"VerwijderPraktijkverklaring", [this](SoapScope& s, const CallContext& c) { return verwijder_verklaring(s, c); }},
        {"GeefPraktijkverklaring", [this](SoapScope& s, const CallContext& c) { return geef_verklaring(s, c); }},
        {"GeefKwalificaties", [this](SoapScope& s, const CallContext&) { return kwalificaties(s); }},
        {"GeefWerkprocessen", [this](SoapScope& s, const CallContext&) { return werkprocessen(s); }},
    });
    set_writes(backend_.get(), {"VoegDeelnemerToe", "VoegDeelnemersToe", "WijzigDeelnemer", "ArchiveerDeelnemer",
                           "HerstelDeelnemer", "VerwijderDeelnemer", "VoegPraktijkopleiderToe", "MaakBegeleidingsdocument",
                           "WijzigBegeleidingsdocument", "RondBegeleidingsdocumentAf", "MaakPraktijkverklaring",
                           "WijzigPraktijkverklaring", "MaakPraktijkverklaringDefinitief", "VerwijderPraktijkverklaring"});
  }

 private:
  static pl::Caller caller(const CallContext& c) { return {c.auth.on_behalf_of, c.auth.caller, c.on_behalf_of_naam}; }

  Result<Outcome> voeg_toe(SoapScope& s, const CallContext& ctx) {
    _pl__VoegDeelnemerToeVerzoek req;
    if (soap_read__pl__VoegDeelnemerToeVerzoek(s.get(), &req) != SOAP_OK || !req.Deelnemer) return invalid_body(s);
    Arena a;
    _pl__VoegDeelnemerToeAntwoord resp;
    Meldingen m;
    auto g = parse_deelnemer(*req.Deelnemer, "Deelnemer/", m);
    std::string result;
    if (g) {
      auto u = backend_->voeg_deelnemer_toe(caller(ctx), *g, req.Doorzetten && *req.Doorzetten);
      if (u.waarde) resp.DeelnemerID = a.make<std::string>(std::to_string(u.waarde->id));
      if (u.bestaande) resp.BestaandeDeelnemerID = a.make<std::string>(std::to_string(*u.bestaande));
      m = u.meldingen;
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__VoegDeelnemerToeAntwoord, resp.DeelnemerID ? "ok" : audit_result(m));
  }

  Result<Outcome> voeg_bulk_toe(SoapScope& s, const CallContext& ctx) {
    _pl__VoegDeelnemersToeVerzoek req;
    if (soap_read__pl__VoegDeelnemersToeVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__VoegDeelnemersToeAntwoord resp;
    resp.AantalToegevoegd = 0;
    resp.AantalGeweigerd = 0;
    if (req.Deelnemer.size() > static_cast<std::size_t>(pl::kMaxDeelnemersPerBericht)) {
      Meldingen m{fout(rules::PL_TE_GROOT, "een bericht bevat ten hoogste 1000 deelnemers; niets is opgeslagen", "Deelnemer")};
      resp.AantalGeweigerd = static_cast<int>(req.Deelnemer.size());
      put_meldingen(a, m, resp.Melding);
      return write(s, resp, &soap_write__pl__VoegDeelnemersToeAntwoord, audit_result(m));
    }
    // Items that parse go to the backend together (each in its own savepoint); the others are
    // refused here. The answer keeps the order of the request.
    std::vector<pl::Deelnemergegevens> valid;
    std::vector<std::size_t> index;
    std::vector<pl::Itemresultaat> results(req.Deelnemer.size());
    for (std::size_t i = 0; i < req.Deelnemer.size(); ++i) {
      Meldingen m;
      const std::string p = "Deelnemer[" + std::to_string(i + 1) + "]/";
      auto g = parse_deelnemer(*req.Deelnemer[i], p, m);
      if (g) {
        valid.push_back(std::move(*g));
        index.push_back(i);
      } else {
        results[i] = {static_cast<int>(i + 1), opt(req.Deelnemer[i]->Kenmerk), "geweigerd", std::nullopt, std::move(m)};
      }
    }
    auto stored = backend_->voeg_deelnemers_toe(caller(ctx), valid, req.Doorzetten && *req.Doorzetten);
    for (std::size_t k = 0; k < stored.size() && k < index.size(); ++k) {
      results[index[k]] = std::move(stored[k]);
      results[index[k]].volgnummer = static_cast<int>(index[k] + 1);
      // The backend names fields relative to the items it saw: renumber to the request's.
      for (auto& mm : results[index[k]].meldingen)
        if (mm.veld.rfind("Deelnemer[", 0) == 0) {
          auto close = mm.veld.find(']');
          mm.veld = "Deelnemer[" + std::to_string(index[k] + 1) + mm.veld.substr(close);
        }
    }
    for (const auto& r : results) {
      auto* g = a.make<pl__Itemresultaat>();
      g->Volgnummer = r.volgnummer;
      g->Kenmerk = a.str(r.kenmerk);
      g->Status = r.status;
      if (r.deelnemer) g->DeelnemerID = a.make<std::string>(std::to_string(*r.deelnemer));
      put_meldingen(a, r.meldingen, g->Melding);
      resp.Itemresultaat.push_back(g);
      if (r.status == "toegevoegd") ++resp.AantalToegevoegd;
      else ++resp.AantalGeweigerd;
    }
    std::string result = resp.AantalGeweigerd ? "melding:geweigerd=" + std::to_string(resp.AantalGeweigerd) : "ok";
    return write(s, resp, &soap_write__pl__VoegDeelnemersToeAntwoord, result);
  }

  template <class Resp>
  Result<Outcome> deelnemer_answer(SoapScope& s, const pl::Uitkomst<pl::Deelnemer>& u, Meldingen m,
                                   int (*writer)(soap*, const Resp*)) {
    Arena a;
    Resp resp;
    if (u.waarde) resp.Deelnemer = put_deelnemer(a, *u.waarde);
    m.insert(m.end(), u.meldingen.begin(), u.meldingen.end());
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, writer, u.waarde ? "ok" : audit_result(m));
  }

  Result<Outcome> wijzig_deelnemer(SoapScope& s, const CallContext& ctx) {
    _pl__WijzigDeelnemerVerzoek req;
    if (soap_read__pl__WijzigDeelnemerVerzoek(s.get(), &req) != SOAP_OK || !req.Deelnemer) return invalid_body(s);
    Meldingen m;
    auto id = parse_id(req.DeelnemerID, "DeelnemerID", m);
    auto g = parse_deelnemer(*req.Deelnemer, "Deelnemer/", m);
    pl::Uitkomst<pl::Deelnemer> u;
    if (id && g) u = backend_->wijzig_deelnemer(caller(ctx), *id, *g);
    return deelnemer_answer<_pl__WijzigDeelnemerAntwoord>(s, u, m, &soap_write__pl__WijzigDeelnemerAntwoord);
  }

  Result<Outcome> archiveer(SoapScope& s, const CallContext& ctx, bool archief) {
    std::string text;
    if (archief) {
      _pl__ArchiveerDeelnemerVerzoek req;
      if (soap_read__pl__ArchiveerDeelnemerVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
      text = req.DeelnemerID;
    } else {
      _pl__HerstelDeelnemerVerzoek req;
      if (soap_read__pl__HerstelDeelnemerVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
      text = req.DeelnemerID;
    }
    Meldingen m;
    auto id = parse_id(text, "DeelnemerID", m);
    pl::Uitkomst<pl::Deelnemer> u;
    if (id) u = backend_->archiveer_deelnemer(caller(ctx), *id, archief);
    if (archief) return deelnemer_answer<_pl__ArchiveerDeelnemerAntwoord>(s, u, m, &soap_write__pl__ArchiveerDeelnemerAntwoord);
    return deelnemer_answer<_pl__HerstelDeelnemerAntwoord>(s, u, m, &soap_write__pl__HerstelDeelnemerAntwoord);
  }

  Result<Outcome> verwijder_deelnemer(SoapScope& s, const CallContext& ctx) {
    _pl__VerwijderDeelnemerVerzoek req;
    if (soap_read__pl__VerwijderDeelnemerVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__VerwijderDeelnemerAntwoord resp;
    resp.Verwijderd = false;
    resp.AantalBegeleidingsdocumenten = 0;
    resp.AantalPraktijkverklaringen = 0;
    Meldingen m;
    auto id = parse_id(req.DeelnemerID, "DeelnemerID", m);
    if (id) {
      auto u = backend_->verwijder_deelnemer(caller(ctx), *id);
      if (u.waarde) {
        resp.Verwijderd = true;
        resp.AantalBegeleidingsdocumenten = u.waarde->begeleidingsdocumenten;
        resp.AantalPraktijkverklaringen = u.waarde->praktijkverklaringen;
      }
      m.insert(m.end(), u.meldingen.begin(), u.meldingen.end());
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__VerwijderDeelnemerAntwoord, resp.Verwijderd ? "ok" : audit_result(m));
  }

  Result<Outcome> zoek(SoapScope& s, const CallContext& ctx) {
    _pl__ZoekDeelnemersVerzoek req;
    if (soap_read__pl__ZoekDeelnemersVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__ZoekDeelnemersAntwoord resp;
    Meldingen m;
    std::string status = opt(req.Status);
    if (!status.empty() && status != "actueel" && status != "archief")
      m.push_back(fout(rules::ONGELDIG_STATUS, "Status moet actueel of archief zijn", "Status"));
    max_len(opt(req.Voornaam), 100, "Voornaam", m);
    max_len(opt(req.Achternaam), 100, "Achternaam", m);
    if (m.empty()) {
      auto u = backend_->zoek_deelnemers(caller(ctx), opt(req.Voornaam), opt(req.Achternaam), status == "archief");
      if (u.waarde)
        for (const auto& d : *u.waarde) resp.Deelnemer.push_back(put_deelnemer(a, d));
      m = u.meldingen;
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__ZoekDeelnemersAntwoord, audit_result(m));
  }

  Result<Outcome> opleiders(SoapScope& s, const CallContext& ctx) {
    _pl__GeefPraktijkopleidersVerzoek req;
    if (soap_read__pl__GeefPraktijkopleidersVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__GeefPraktijkopleidersAntwoord resp;
    Meldingen m;
    auto lb = field(LeerbedrijfId::parse(req.LeerbedrijfID), "LeerbedrijfID", m);
    std::optional<pl::Id> deelnemer;
    if (req.DeelnemerID) deelnemer = parse_id(*req.DeelnemerID, "DeelnemerID", m);
    if (m.empty()) {
      auto u = backend_->praktijkopleiders(caller(ctx), *lb, deelnemer);
      if (u.waarde)
        for (const auto& p : *u.waarde) resp.Praktijkopleider.push_back(put_opleider(a, p));
      m = u.meldingen;
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__GeefPraktijkopleidersAntwoord, audit_result(m));
  }

  Result<Outcome> opleider_toe(SoapScope& s, const CallContext& ctx) {
    _pl__VoegPraktijkopleiderToeVerzoek req;
    if (soap_read__pl__VoegPraktijkopleiderToeVerzoek(s.get(), &req) != SOAP_OK || !req.Praktijkopleider)
      return invalid_body(s);
    Arena a;
    _pl__VoegPraktijkopleiderToeAntwoord resp;
    Meldingen m;
    auto id = parse_id(req.DeelnemerID, "DeelnemerID", m);
    auto lb = field(LeerbedrijfId::parse(req.LeerbedrijfID), "LeerbedrijfID", m);
    const auto& g = *req.Praktijkopleider;
    required(g.Naam, "Praktijkopleider/Naam", m);
    max_len(g.Naam, 100, "Praktijkopleider/Naam", m);
    max_len(opt(g.Functie), 100, "Praktijkopleider/Functie", m);
    max_len(opt(g.Telefoon), 20, "Praktijkopleider/Telefoon", m);
    if (g.Email && !g.Email->empty() && !plausible_email(*g.Email))
      m.push_back(fout(rules::ONGELDIG_EMAIL, "Praktijkopleider/Email is geen e-mailadres", "Praktijkopleider/Email"));
    if (m.empty()) {
      auto u = backend_->voeg_praktijkopleider_toe(caller(ctx), *id, *lb,
                                                   {g.Naam, opt(g.Functie), opt(g.Email), opt(g.Telefoon)});
      if (u.waarde) resp.PraktijkopleiderID = a.make<std::string>(u.waarde->id);
      m = u.meldingen;
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__VoegPraktijkopleiderToeAntwoord, resp.PraktijkopleiderID ? "ok" : audit_result(m));
  }

  template <class Resp>
  Result<Outcome> document_answer(SoapScope& s, const pl::Uitkomst<pl::Begeleidingsdocument>& u, Meldingen m,
                                  int (*writer)(soap*, const Resp*)) {
    Arena a;
    Resp resp;
    if (u.waarde) resp.Begeleidingsdocument = put_document(a, *u.waarde);
    m.insert(m.end(), u.meldingen.begin(), u.meldingen.end());
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, writer, u.waarde ? "ok" : audit_result(m));
  }

  Result<Outcome> maak_document(SoapScope& s, const CallContext& ctx) {
    _pl__MaakBegeleidingsdocumentVerzoek req;
    if (soap_read__pl__MaakBegeleidingsdocumentVerzoek(s.get(), &req) != SOAP_OK || !req.Begeleidingsdocument)
      return invalid_body(s);
    Meldingen m;
    auto g = parse_document(*req.Begeleidingsdocument, m);
    pl::Uitkomst<pl::Begeleidingsdocument> u;
    if (g) u = backend_->maak_begeleidingsdocument(caller(ctx), *g);
    return document_answer<_pl__MaakBegeleidingsdocumentAntwoord>(s, u, m, &soap_write__pl__MaakBegeleidingsdocumentAntwoord);
  }

  Result<Outcome> wijzig_document(SoapScope& s, const CallContext& ctx) {
    _pl__WijzigBegeleidingsdocumentVerzoek req;
    if (soap_read__pl__WijzigBegeleidingsdocumentVerzoek(s.get(), &req) != SOAP_OK || !req.Begeleidingsdocument)
      return invalid_body(s);
    Meldingen m;
    auto id = parse_id(req.DocumentID, "DocumentID", m);
    auto g = parse_document(*req.Begeleidingsdocument, m);
    pl::Uitkomst<pl::Begeleidingsdocument> u;
    if (id && g) u = backend_->wijzig_begeleidingsdocument(caller(ctx), *id, *g);
    return document_answer<_pl__WijzigBegeleidingsdocumentAntwoord>(s, u, m, &soap_write__pl__WijzigBegeleidingsdocumentAntwoord);
  }

  Result<Outcome> rond_af(SoapScope& s, const CallContext& ctx) {
    _pl__RondBegeleidingsdocumentAfVerzoek req;
    if (soap_read__pl__RondBegeleidingsdocumentAfVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Meldingen m;
    auto id = parse_id(req.DocumentID, "DocumentID", m);
    pl::Uitkomst<pl::Begeleidingsdocument> u;
    if (id) u = backend_->rond_begeleidingsdocument_af(caller(ctx), *id);
    return document_answer<_pl__RondBegeleidingsdocumentAfAntwoord>(s, u, m, &soap_write__pl__RondBegeleidingsdocumentAfAntwoord);
  }

  Result<Outcome> geef_document(SoapScope& s, const CallContext& ctx) {
    _pl__GeefBegeleidingsdocumentVerzoek req;
    if (soap_read__pl__GeefBegeleidingsdocumentVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__GeefBegeleidingsdocumentAntwoord resp;
    Meldingen m;
    auto id = parse_id(req.DocumentID, "DocumentID", m);
    if (id) {
      auto u = backend_->begeleidingsdocument(caller(ctx), *id);
      if (u.waarde) {
        resp.Begeleidingsdocument = put_document(a, *u.waarde);
        if (!req.MetPdf || *req.MetPdf) {
          auto pdf = backend_->begeleidingsdocument_pdf(caller(ctx), *id);
          if (pdf.waarde) resp.Pdf = put_bytes(a, pdf.waarde->bytes);
          m.insert(m.end(), pdf.meldingen.begin(), pdf.meldingen.end());
        }
      }
      m.insert(m.end(), u.meldingen.begin(), u.meldingen.end());
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__GeefBegeleidingsdocumentAntwoord, audit_result(m));
  }

  template <class Resp>
  Result<Outcome> verklaring_answer(SoapScope& s, const pl::Uitkomst<pl::Praktijkverklaring>& u, Meldingen m,
                                    int (*writer)(soap*, const Resp*)) {
    Arena a;
    Resp resp;
    if (u.waarde) resp.Praktijkverklaring = put_verklaring(a, *u.waarde);
    m.insert(m.end(), u.meldingen.begin(), u.meldingen.end());
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, writer, u.waarde ? "ok" : audit_result(m));
  }

  Result<Outcome> maak_verklaring(SoapScope& s, const CallContext& ctx) {
    _pl__MaakPraktijkverklaringVerzoek req;
    if (soap_read__pl__MaakPraktijkverklaringVerzoek(s.get(), &req) != SOAP_OK || !req.Praktijkverklaring)
      return invalid_body(s);
    Meldingen m;
    auto g = parse_verklaring(*req.Praktijkverklaring, m);
    pl::Uitkomst<pl::Praktijkverklaring> u;
    if (g) u = backend_->maak_praktijkverklaring(caller(ctx), *g);
    return verklaring_answer<_pl__MaakPraktijkverklaringAntwoord>(s, u, m, &soap_write__pl__MaakPraktijkverklaringAntwoord);
  }

  Result<Outcome> wijzig_verklaring(SoapScope& s, const CallContext& ctx) {
    _pl__WijzigPraktijkverklaringVerzoek req;
    if (soap_read__pl__WijzigPraktijkverklaringVerzoek(s.get(), &req) != SOAP_OK || !req.Praktijkverklaring)
      return invalid_body(s);
    Meldingen m;
    auto id = parse_id(req.VerklaringID, "VerklaringID", m);
    auto g = parse_verklaring(*req.Praktijkverklaring, m);
    pl::Uitkomst<pl::Praktijkverklaring> u;
    if (id && g) u = backend_->wijzig_praktijkverklaring(caller(ctx), *id, *g);
    return verklaring_answer<_pl__WijzigPraktijkverklaringAntwoord>(s, u, m, &soap_write__pl__WijzigPraktijkverklaringAntwoord);
  }

  Result<Outcome> definitief(SoapScope& s, const CallContext& ctx) {
    _pl__MaakPraktijkverklaringDefinitiefVerzoek req;
    if (soap_read__pl__MaakPraktijkverklaringDefinitiefVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Meldingen m;
    auto id = parse_id(req.VerklaringID, "VerklaringID", m);
    pl::Uitkomst<pl::Praktijkverklaring> u;
    if (id) u = backend_->maak_definitief(caller(ctx), *id);
    return verklaring_answer<_pl__MaakPraktijkverklaringDefinitiefAntwoord>(
        s, u, m, &soap_write__pl__MaakPraktijkverklaringDefinitiefAntwoord);
  }

  Result<Outcome> verwijder_verklaring(SoapScope& s, const CallContext& ctx) {
    _pl__VerwijderPraktijkverklaringVerzoek req;
    if (soap_read__pl__VerwijderPraktijkverklaringVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__VerwijderPraktijkverklaringAntwoord resp;
    resp.Verwijderd = false;
    Meldingen m;
    auto id = parse_id(req.VerklaringID, "VerklaringID", m);
    if (id) {
      auto u = backend_->verwijder_praktijkverklaring(caller(ctx), *id);
      resp.Verwijderd = u.waarde.value_or(false);
      m.insert(m.end(), u.meldingen.begin(), u.meldingen.end());
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__VerwijderPraktijkverklaringAntwoord, resp.Verwijderd ? "ok" : audit_result(m));
  }

  Result<Outcome> geef_verklaring(SoapScope& s, const CallContext& ctx) {
    _pl__GeefPraktijkverklaringVerzoek req;
    if (soap_read__pl__GeefPraktijkverklaringVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__GeefPraktijkverklaringAntwoord resp;
    Meldingen m;
    auto id = parse_id(req.VerklaringID, "VerklaringID", m);
    if (id) {
      auto u = backend_->praktijkverklaring(caller(ctx), *id);
      if (u.waarde) {
        resp.Praktijkverklaring = put_verklaring(a, *u.waarde);
        if (!req.MetPdf || *req.MetPdf) {
          auto pdf = backend_->praktijkverklaring_pdf(caller(ctx), *id);
          if (pdf.waarde) resp.Pdf = put_bytes(a, pdf.waarde->bytes);
          m.insert(m.end(), pdf.meldingen.begin(), pdf.meldingen.end());
        }
      }
      m.insert(m.end(), u.meldingen.begin(), u.meldingen.end());
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__GeefPraktijkverklaringAntwoord, audit_result(m));
  }

  Result<Outcome> kwalificaties(SoapScope& s) {
    _pl__GeefKwalificatiesVerzoek req;
    if (soap_read__pl__GeefKwalificatiesVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__GeefKwalificatiesAntwoord resp;
    Meldingen m;
    std::optional<Crebo> crebo;
    if (req.Crebo) crebo = field(Crebo::parse(*req.Crebo), "Crebo", m);
    if (m.empty()) {
      auto u = backend_->kwalificaties(crebo, req.AlleVersies && *req.AlleVersies);
      if (u.waarde)
        for (const auto& k : *u.waarde) resp.Kwalificatie.push_back(put_kwalificatie(a, k));
      m = u.meldingen;
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__GeefKwalificatiesAntwoord, audit_result(m));
  }

  Result<Outcome> werkprocessen(SoapScope& s) {
    _pl__GeefWerkprocessenVerzoek req;
    if (soap_read__pl__GeefWerkprocessenVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _pl__GeefWerkprocessenAntwoord resp;
    Meldingen m;
    auto crebo = field(Crebo::parse(req.Crebo), "Crebo", m);
    if (m.empty()) {
      auto u = backend_->werkprocessen(*crebo, opt(req.Versie));
      if (u.waarde) {
        resp.Kwalificatie = put_kwalificatie(a, u.waarde->first);
        for (const auto& kt : u.waarde->second) {
          auto* gk = a.make<pl__Kerntaak>();
          gk->Code = kt.code;
          gk->Naam = kt.naam;
          for (const auto& w : kt.werkprocessen) {
            auto* gw = a.make<pl__Werkproces>();
            gw->Code = w.code;
            gw->Naam = w.naam;
            gw->Omschrijving = w.omschrijving;
            gw->GewenstResultaat = w.gewenst_resultaat;
            gw->Gedrag = w.gedrag;
            gk->Werkproces.push_back(gw);
          }
          resp.Kerntaak.push_back(gk);
        }
      }
      m = u.meldingen;
    }
    put_meldingen(a, m, resp.Melding);
    return write(s, resp, &soap_write__pl__GeefWerkprocessenAntwoord, audit_result(m));
  }

  std::shared_ptr<pl::Backend> backend_;
};

}  // namespace

std::unique_ptr<Service> make_praktijkloket_service(ServiceContract contract, std::shared_ptr<praktijkloket::Backend> backend) {
  return std::make_unique<PraktijkloketService>(std::move(contract), std::move(backend));
}

}  // namespace edugate::gateway
