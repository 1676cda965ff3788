// BPV Monitor service: student data in (validated field by field, a result per record), the
// school's results and response records out. The school is the wsa:From OIN (a vendor with a
// mandate acts as that school).
#include "gateway/services/bpvmonitor_service.h"

#include "gateway/services/mappings.h"
#include "gateway/services/service_support.h"

namespace edugate::gateway {
namespace {

namespace bm = edugate::bpvmonitor;
using namespace support;

// Parses one record; a field that does not parse becomes a Melding naming it.
std::optional<bm::Studentgegeven> parse_record(const bpv__Studentgegeven& g, Meldingen& m) {
  required(g.BpvoKenmerk, "BpvoKenmerk", m);
  if (g.BpvoKenmerk.size() > 64) m.push_back(fout(rules::ONGELDIG_KENMERK, "BpvoKenmerk is langer dan 64 tekens", "BpvoKenmerk"));
  auto brin = field(Brin::parse(g.Brin), "Brin", m);
  auto rio_a = field(RioAanbiedercode::parse(g.RioOnderwijsaanbiedercode), "RioOnderwijsaanbiedercode", m);
  auto rio_l = field(RioLocatiecode::parse(g.RioLocatiecode), "RioLocatiecode", m);
  auto opl = field(Crebo::parse(g.Opleidingscode), "Opleidingscode", m);
  auto lw = field(parse_leerweg(g.Leerweg), "Leerweg", m);
  auto lb = field(LeerbedrijfId::parse(g.LeerbedrijfID), "LeerbedrijfID", m);
  auto eind = datum_field(g.Einddatum, "Einddatum", m);
  required(g.StudentVoornaam, "StudentVoornaam", m);
  required(g.StudentAchternaam, "StudentAchternaam", m);
  if (!plausible_email(g.StudentEmail)) m.push_back(fout(rules::ONGELDIG_EMAIL, "StudentEmail is geen e-mailadres", "StudentEmail"));
  if (!m.empty()) return std::nullopt;
  return bm::Studentgegeven{g.BpvoKenmerk, *brin, *rio_a, *rio_l, *opl, *lw, *lb, *eind,
                            g.StudentVoornaam, g.StudentAchternaam, g.StudentEmail};
}

bpv__Recordresultaat* put_result(Arena& a, const bm::Recordresultaat& r) {
  auto* g = a.make<bpv__Recordresultaat>();
  g->BpvoKenmerk = r.bpvo_kenmerk;
  g->Status = r.status;
  if (r.uitnodigingsdatum) g->Uitnodigingsdatum = a.make<std::string>(r.uitnodigingsdatum->str());
  put_meldingen(a, r.meldingen, g->Melding);
  return g;
}

std::string result_of(const bm::Recordresultaat& r) {
  return r.status == "geweigerd" ? audit_result(r.meldingen) : "ok";
}

class BpvMonitorService final : public HandlerService {
 public:
  BpvMonitorService(ServiceContract c, std::shared_ptr<bm::Backend> b) : HandlerService(std::move(c)), backend_(std::move(b)) {
    set_handlers({
        {"LeverStudentgegevensAan", [this](SoapScope& s, const CallContext& c) { return lever_aan(s, c); }},
        {"CorrigeerStudentgegeven", [this](SoapScope& s, const CallContext& c) { return corrigeer(s, c); }},
        {"TrekStudentgegevenIn", [this](SoapScope& s, const CallContext& c) { return trek_in(s, c); }},
        {"VraagResultatenOp", [this](SoapScope& s, const CallContext& c) { return resultaten(s, c); }},
        {"VraagResponsrecordsOp", [this](SoapScope& s, const CallContext& c) { return responsrecords(s, c); }},
    });
    set_writes(backend_.get(), {"LeverStudentgegevensAan", "CorrigeerStudentgegeven", "TrekStudentgegevenIn"});
  }

  std::string agreement(const Operation& op) const override {
    return op.name == "VraagResultatenOp" || op.name == "VraagResponsrecordsOp" ? contract_.name
                                                                                 : kAgreementStudentgegevens;
  }

 private:
  Result<Outcome> lever_aan(SoapScope& s, const CallContext& ctx) {
    _bpv__LeverStudentgegevensAanVerzoek req;
    if (soap_read__bpv__LeverStudentgegevensAanVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Arena a;
    _bpv__LeverStudentgegevensAanAntwoord resp;
    resp.AantalGeaccepteerd = 0;
    resp.AantalGeweigerd = 0;
    if (req.Studentgegeven.size() > static_cast<std::size_t>(kMaxStudentgegevensPerBericht)) {
      Meldingen m{fout(rules::BPV_TE_GROOT, "een bericht bevat ten hoogste 1000 studentgegevens; niets is opgeslagen",
                       "Studentgegeven")};
      resp.AantalGeweigerd = static_cast<int>(req.Studentgegeven.size());
      put_meldingen(a, m, resp.Melding);
      return write(s, resp, &soap_write__bpv__LeverStudentgegevensAanAntwoord, audit_result(m));
    }
    // Records that parse go to the backend in one batch; the others are refused here. The
    // answer keeps the order of the request.
    std::vector<bm::Studentgegeven> valid;
    std::vector<std::optional<bm::Recordresultaat>> results(req.Studentgegeven.size());
    std::vector<std::size_t> valid_index;
    for (std::size_t i = 0; i < req.Studentgegeven.size(); ++i) {
      Meldingen m;
      auto rec = parse_record(*req.Studentgegeven[i], m);
      if (rec) {
        valid.push_back(std::move(*rec));
        valid_index.push_back(i);
      } else {
        results[i] = bm::Recordresultaat{req.Studentgegeven[i]->BpvoKenmerk, "geweigerd", std::nullopt, std::move(m)};
      }
    }
    auto stored = backend_->lever_aan(ctx.auth.on_behalf_of, valid);
    for (std::size_t k = 0; k < stored.size() && k < valid_index.size(); ++k) results[valid_index[k]] = std::move(stored[k]);
    std::string result = "ok";
    for (const auto& r : results) {
      if (r->status == "geaccepteerd") ++resp.AantalGeaccepteerd;
      else ++resp.AantalGeweigerd;
      resp.Recordresultaat.push_back(put_result(a, *r));
    }
    if (resp.AantalGeweigerd > 0) result = "melding:geweigerd=" + std::to_string(resp.AantalGeweigerd);
    return write(s, resp, &soap_write__bpv__LeverStudentgegevensAanAntwoord, result);
  }

  Result<Outcome> corrigeer(SoapScope& s, const CallContext& ctx) {
    _bpv__CorrigeerStudentgegevenVerzoek req;
    if (soap_read__bpv__CorrigeerStudentgegevenVerzoek(s.get(), &req) != SOAP_OK || !req.Studentgegeven)
      return invalid_body(s);
    Meldingen m;
    auto rec = parse_record(*req.Studentgegeven, m);
    bm::Recordresultaat r = rec ? backend_->corrigeer(ctx.auth.on_behalf_of, *rec)
                                : bm::Recordresultaat{req.Studentgegeven->BpvoKenmerk, "geweigerd", std::nullopt, m};
    Arena a;
    _bpv__CorrigeerStudentgegevenAntwoord resp;
    resp.Recordresultaat = put_result(a, r);
    return write(s, resp, &soap_write__bpv__CorrigeerStudentgegevenAntwoord, result_of(r));
  }

  Result<Outcome> trek_in(SoapScope& s, const CallContext& ctx) {
    _bpv__TrekStudentgegevenInVerzoek req;
    if (soap_read__bpv__TrekStudentgegevenInVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Meldingen m;
    required(req.BpvoKenmerk, "BpvoKenmerk", m);
    bm::Recordresultaat r = m.empty() ? backend_->trek_in(ctx.auth.on_behalf_of, req.BpvoKenmerk)
                                      : bm::Recordresultaat{req.BpvoKenmerk, "geweigerd", std::nullopt, m};
    Arena a;
    _bpv__TrekStudentgegevenInAntwoord resp;
    resp.Recordresultaat = put_result(a, r);
    return write(s, resp, &soap_write__bpv__TrekStudentgegevenInAntwoord, result_of(r));
  }

  Result<Outcome> resultaten(SoapScope& s, const CallContext& ctx) {
    _bpv__VraagResultatenOpVerzoek req;
    if (soap_read__bpv__VraagResultatenOpVerzoek(s.get(), &req) != SOAP_OK || !req.Filter) return invalid_body(s);
    Meldingen m;
    auto brin = brin_of(ctx.auth.on_behalf_of);
    if (!brin) m.push_back(fout(rules::BPV_GEEN_SCHOOL, "resultaten zijn er alleen voor een school-OIN (BRIN)", "wsa:From"));
    auto periode = field(Periode::parse(req.Filter->Periode), "Filter/Periode", m);
    bm::Resultatenfilter f{periode.value_or(*Periode::parse("2000-K1")), std::nullopt, std::nullopt, std::nullopt};
    if (auto t = nonempty(req.Filter->Opleidingscode)) f.opleidingscode = field(Crebo::parse(*t), "Filter/Opleidingscode", m);
    if (auto t = nonempty(req.Filter->Leerweg)) f.leerweg = field(parse_leerweg(*t), "Filter/Leerweg", m);
    if (auto t = nonempty(req.Filter->RioLocatiecode)) f.rio_locatie = field(RioLocatiecode::parse(*t), "Filter/RioLocatiecode", m);
    bm::Resultaten r;
    if (m.empty()) r = backend_->resultaten(*brin, f);
    r.meldingen.insert(r.meldingen.begin(), m.begin(), m.end());
    Arena a;
    _bpv__VraagResultatenOpAntwoord resp;
    if (brin) resp.Brin = a.make<std::string>(brin->str());
    if (periode) resp.Periode = a.make<std::string>(periode->str());
    resp.MinimaleRespons = r.minimale_respons;
    for (const auto& c : r.cellen) resp.Themaresultaat.push_back(mapping::put_themaresultaat(a, c));
    put_meldingen(a, r.meldingen, resp.Melding);
    return write(s, resp, &soap_write__bpv__VraagResultatenOpAntwoord, audit_result(r.meldingen));
  }

  Result<Outcome> responsrecords(SoapScope& s, const CallContext& ctx) {
    _bpv__VraagResponsrecordsOpVerzoek req;
    if (soap_read__bpv__VraagResponsrecordsOpVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    Meldingen m;
    auto brin = brin_of(ctx.auth.on_behalf_of);
    if (!brin) m.push_back(fout(rules::BPV_GEEN_SCHOOL, "responsrecords zijn er alleen voor een school-OIN (BRIN)", "wsa:From"));
    std::optional<Periode> periode;
    if (auto t = nonempty(req.Periode)) periode = field(Periode::parse(*t), "Periode", m);
    int pagina = req.Pagina ? *req.Pagina : 1, grootte = req.PaginaGrootte ? *req.PaginaGrootte : 100;
    if (pagina < 1) m.push_back(fout(rules::ONGELDIG_PAGINA, "Pagina begint bij 1", "Pagina"));
    if (grootte < 1 || grootte > 1000)
      m.push_back(fout(rules::ONGELDIG_PAGINAGROOTTE, "PaginaGrootte moet tussen 1 en 1000 liggen", "PaginaGrootte"));
    bm::Responsrecords r;
    r.pagina = pagina;
    r.pagina_grootte = grootte;
    if (m.empty()) r = backend_->responsrecords(*brin, periode, pagina, grootte);
    r.meldingen.insert(r.meldingen.begin(), m.begin(), m.end());
    Arena a;
    _bpv__VraagResponsrecordsOpAntwoord resp;
    resp.TotaalAantal = r.totaal;
    resp.Pagina = r.pagina;
    resp.PaginaGrootte = r.pagina_grootte;
    for (const auto& x : r.records) {
      auto* g = a.make<bpv__Responsrecord>();
      g->RespondentID = x.respondent_id;
      g->Respondentgroep = x.groep;
      g->Periode = x.periode.str();
      g->Opleidingscode = x.opleidingscode.str();
      g->Leerweg = to_string(x.leerweg);
      g->RioLocatiecode = x.rio_locatie.str();
      g->LeerbedrijfID = x.leerbedrijf.str();
      for (const auto& sc : x.scores) {
        auto* score = a.make<bpv__Score>();
        score->Thema = sc.thema;
        score->Waarde = sc.waarde;
        g->Score.push_back(score);
      }
      resp.Responsrecord.push_back(g);
    }
    put_meldingen(a, r.meldingen, resp.Melding);
    return write(s, resp, &soap_write__bpv__VraagResponsrecordsOpAntwoord, audit_result(r.meldingen));
  }

  std::shared_ptr<bm::Backend> backend_;
};

}  // namespace

std::unique_ptr<Service> make_bpvmonitor_service(ServiceContract contract, std::shared_ptr<bm::Backend> backend) {
  return std::make_unique<BpvMonitorService>(std::move(contract), std::move(backend));
}

}  // namespace edugate::gateway
