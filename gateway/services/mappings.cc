#include "gateway/services/mappings.h"

#include "core/rules.h"

namespace edugate::gateway::mapping {

using namespace support;

lb__Mutatie* put_mutatie(Arena& a, const leerbedrijf::Mutatie& x) {
  auto* g = a.make<lb__Mutatie>();
  g->Volgnummer = x.volgnummer;
  g->Soort = x.soort;
  g->Tijdstip = static_cast<time_t>(x.tijdstip);
  g->LeerbedrijfID = x.leerbedrijf.str();
  if (x.nieuw_leerbedrijf) g->NieuwLeerbedrijfID = a.make<std::string>(x.nieuw_leerbedrijf->str());
  if (x.crebo) g->Crebo = a.make<std::string>(x.crebo->str());
  if (x.leerweg) g->Leerweg = a.make<std::string>(to_string(*x.leerweg));
  if (x.begindatum) g->Begindatum = a.make<std::string>(x.begindatum->str());
  if (x.einddatum) g->Einddatum = a.make<std::string>(x.einddatum->str());
  g->Naam = a.opt(x.naam);
  return g;
}

Result<leerbedrijf::Mutatie> mutatie_from(const lb__Mutatie& g) {
  auto id = LeerbedrijfId::parse(g.LeerbedrijfID);
  if (!id) return make_error(rules::DK0004, "Mutatie/LeerbedrijfID ongeldig", "LeerbedrijfID");
  leerbedrijf::Mutatie m{g.Volgnummer, g.Soort, static_cast<std::int64_t>(g.Tijdstip), *id, std::nullopt, std::nullopt,
                         std::nullopt, std::nullopt, std::nullopt, g.Naam ? std::optional<std::string>(*g.Naam) : std::nullopt};
  if (g.NieuwLeerbedrijfID) {
    auto n = LeerbedrijfId::parse(*g.NieuwLeerbedrijfID);
    if (!n) return make_error(rules::DK0004, "Mutatie/NieuwLeerbedrijfID ongeldig", "NieuwLeerbedrijfID");
    m.nieuw_leerbedrijf = *n;
  }
  if (g.Crebo) {
    auto c = Crebo::parse(*g.Crebo);
    if (!c) return make_error(rules::DK0004, "Mutatie/Crebo ongeldig", "Crebo");
    m.crebo = *c;
  }
  if (g.Leerweg) {
    auto l = parse_leerweg(*g.Leerweg);
    if (!l) return make_error(rules::DK0004, "Mutatie/Leerweg ongeldig", "Leerweg");
    m.leerweg = *l;
  }
  for (auto [text, slot, veld] : {std::tuple{g.Begindatum, &m.begindatum, "Begindatum"},
                                  std::tuple{g.Einddatum, &m.einddatum, "Einddatum"}}) {
    if (!text) continue;
    auto d = Datum::parse(*text);
    if (!d) return make_error(rules::DK0004, std::string("Mutatie/") + veld + " ongeldig", veld);
    *slot = *d;
  }
  if (m.volgnummer < 1) return make_error(rules::DK0004, "Mutatie/Volgnummer moet positief zijn", "Volgnummer");
  return m;
}

bpv__Themaresultaat* put_themaresultaat(Arena& a, const bpvmonitor::Themaresultaat& t) {
  auto* g = a.make<bpv__Themaresultaat>();
  g->Thema = t.thema;
  g->Respondentgroep = t.groep;
  g->Aantal = t.aantal;
  g->Onderdrukt = t.onderdrukt;
  g->Gemiddelde = a.opt(t.gemiddelde);
  g->LandelijkGemiddelde = a.opt(t.landelijk);
  return g;
}

bpvmonitor::Themaresultaat themaresultaat_from(const bpv__Themaresultaat& g) {
  bpvmonitor::Themaresultaat t{g.Thema, g.Respondentgroep, g.Aantal, g.Onderdrukt, std::nullopt, std::nullopt};
  if (g.Gemiddelde && !g.Onderdrukt) t.gemiddelde = *g.Gemiddelde;  // a suppressed cell never carries a mean
  if (g.LandelijkGemiddelde) t.landelijk = *g.LandelijkGemiddelde;
  return t;
}

std::string monitorresultaten_push(const Brin& brin, const Periode& periode, const bpvmonitor::Resultaten& r) {
  SoapScope s;
  Arena a;
  _so__OntvangMonitorresultatenVerzoek req;
  req.Brin = brin.str();
  req.Periode = periode.str();
  req.MinimaleRespons = r.minimale_respons;
  for (const auto& c : r.cellen) req.Themaresultaat.push_back(put_themaresultaat(a, c));
  return support::write(s, req, &soap_write__so__OntvangMonitorresultatenVerzoek, "ok").body_xml;
}

std::string erkenningmutaties_push(const std::vector<leerbedrijf::Mutatie>& mutaties) {
  SoapScope s;
  Arena a;
  _so__OntvangErkenningmutatiesVerzoek req;
  for (const auto& m : mutaties) req.Mutatie.push_back(put_mutatie(a, m));
  return support::write(s, req, &soap_write__so__OntvangErkenningmutatiesVerzoek, "ok").body_xml;
}

}  // namespace edugate::gateway::mapping
