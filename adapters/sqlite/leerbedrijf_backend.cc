#include "adapters/sqlite/leerbedrijf_backend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "adapters/sqlite/leerbedrijf_fixtures.h"
#include "adapters/sqlite/places.h"

namespace edugate::adapters::sqlite {

namespace lb = edugate::leerbedrijf;

namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kwalificaties (crebo TEXT PRIMARY KEY, naam TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leerbedrijven (
  id TEXT PRIMARY KEY, naam TEXT NOT NULL, kvk TEXT, vestiging TEXT,
  straat TEXT NOT NULL, huisnummer TEXT NOT NULL, postcode TEXT NOT NULL, plaats TEXT NOT NULL,
  lat REAL NOT NULL, lon REAL NOT NULL, telefoon TEXT NOT NULL DEFAULT '', website TEXT NOT NULL DEFAULT '',
  samengevoegd_in TEXT);
CREATE INDEX IF NOT EXISTS leerbedrijven_kvk ON leerbedrijven(kvk);
CREATE INDEX IF NOT EXISTS leerbedrijven_plaats ON leerbedrijven(plaats COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS erkenningen (
  leerbedrijf_id TEXT NOT NULL REFERENCES leerbedrijven(id), crebo TEXT NOT NULL, leerweg TEXT NOT NULL,
  begindatum TEXT NOT NULL, einddatum TEXT, intrekdatum TEXT);
CREATE INDEX IF NOT EXISTS erkenningen_lb ON erkenningen(leerbedrijf_id, crebo, leerweg);
CREATE TABLE IF NOT EXISTS praktijkopleiders (
  id TEXT PRIMARY KEY, leerbedrijf_id TEXT NOT NULL REFERENCES leerbedrijven(id), naam TEXT NOT NULL,
  functie TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS praktijkopleiders_lb ON praktijkopleiders(leerbedrijf_id);
CREATE TABLE IF NOT EXISTS leerplaatsen (
  leerbedrijf_id TEXT NOT NULL REFERENCES leerbedrijven(id), crebo TEXT NOT NULL, leerweg TEXT NOT NULL,
  aantal INTEGER NOT NULL, beschikbaar INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS leerplaatsen_lb ON leerplaatsen(leerbedrijf_id);
CREATE TABLE IF NOT EXISTS mutaties (
  volgnummer INTEGER PRIMARY KEY AUTOINCREMENT, soort TEXT NOT NULL, tijdstip INTEGER NOT NULL,
  leerbedrijf_id TEXT NOT NULL, nieuw_id TEXT, crebo TEXT, leerweg TEXT, begindatum TEXT, einddatum TEXT, naam TEXT);
CREATE TABLE IF NOT EXISTS voordrachten (
  nummer INTEGER PRIMARY KEY AUTOINCREMENT, school_oin TEXT NOT NULL, bericht TEXT NOT NULL,
  kvk TEXT NOT NULL, vestiging TEXT, naam TEXT NOT NULL, straat TEXT NOT NULL, huisnummer TEXT NOT NULL,
  postcode TEXT NOT NULL, plaats TEXT NOT NULL, crebo TEXT NOT NULL, leerweg TEXT NOT NULL,
  contact_naam TEXT NOT NULL, contact_email TEXT NOT NULL, contact_telefoon TEXT NOT NULL, toelichting TEXT NOT NULL,
  status TEXT NOT NULL, ontvangen_ms INTEGER NOT NULL, UNIQUE (school_oin, bericht));
INSERT INTO schema_version SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
)SQL";

Melding melding(const char* code, Ernst e, std::string tekst, std::string veld = {}) {
  return Melding{code, e, std::move(tekst), std::move(veld)};
}

std::string normalize_postcode(std::string p) {
  std::string out;
  for (char c : p)
    if (c != ' ') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Status of an erkenning on a date (ISO dates compare as strings).
lb::ErkenningStatus status_on(const std::string& begin, const std::optional<std::string>& eind,
                              const std::optional<std::string>& intrek, const std::string& peil) {
  if (intrek && *intrek <= peil) return lb::ErkenningStatus::ingetrokken;
  if (eind && *eind < peil) return lb::ErkenningStatus::verlopen;
  if (begin > peil) return lb::ErkenningStatus::toekomstig;
  return lb::ErkenningStatus::erkend;
}

double haversine_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double r = 6371.0, rad = M_PI / 180.0;
  double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * r * std::asin(std::sqrt(a));
}

struct Row {
  lb::Samenvatting s;
  double lat = 0, lon = 0;
  std::optional<std::string> samengevoegd_in;
};

Row row_from(sqlitedb::Statement& st) {
  Row r{lb::Samenvatting{*LeerbedrijfId::parse(st.text(0)), st.text(1), std::nullopt, std::nullopt,
                         {st.text(4), st.text(5), st.text(6), st.text(7)}, std::nullopt},
        st.real(8), st.real(9), st.opt_text(10)};
  if (auto k = st.opt_text(2)) {
    if (auto p = KvkNummer::parse(*k)) r.s.kvk = *p;
  }
  if (auto v = st.opt_text(3)) {
    if (auto p = Vestigingsnummer::parse(*v)) r.s.vestiging = *p;
  }
  return r;
}

}  // namespace

void create_schema(sqlitedb::Connection& c) { c.exec(kSchema); }

LeerbedrijfBackend::LeerbedrijfBackend(LeerbedrijfSettings s)
    : pool_(s.path, true, [](sqlitedb::Connection& c) { create_schema(c); }) {
  if (auto parent = std::filesystem::path(s.path).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent);
  auto& c = pool_.get();
  if (s.demo_data) fill_fixtures(c, s.fixture_seed);
}

lb::IdentificeerAntwoord LeerbedrijfBackend::identificeer(const lb::IdentificeerVerzoek& v) {
  auto& c = pool_.get();
  lb::IdentificeerAntwoord a;
  std::vector<Row> rows;
  if (v.id) {
    auto st = c.prepare("SELECT id, naam, kvk, vestiging, straat, huisnummer, postcode, plaats, lat, lon, samengevoegd_in "
                        "FROM leerbedrijven WHERE id = ?");
    st.bind(1, v.id->str());
    while (st.step()) rows.push_back(row_from(st));
  } else if (v.kvk) {
    auto st = c.prepare("SELECT id, naam, kvk, vestiging, straat, huisnummer, postcode, plaats, lat, lon, samengevoegd_in "
                        "FROM leerbedrijven WHERE kvk = ? AND (? IS NULL OR vestiging = ?) ORDER BY naam, id");
    st.bind(1, v.kvk->str());
    if (v.vestiging) st.bind(2, v.vestiging->str()).bind(3, v.vestiging->str());
    else st.bind_null(2).bind_null(3);
    while (st.step()) rows.push_back(row_from(st));
  } else {
    auto st = c.prepare("SELECT id, naam, kvk, vestiging, straat, huisnummer, postcode, plaats, lat, lon, samengevoegd_in "
                        "FROM leerbedrijven WHERE (? IS NULL OR instr(lower(naam), ?) > 0) "
                        "AND (? IS NULL OR plaats = ? COLLATE NOCASE) "
                        "AND (? IS NULL OR replace(upper(postcode), ' ', '') = ?) ORDER BY naam, id LIMIT 100");
    if (v.naam) st.bind(1, lower(*v.naam)).bind(2, lower(*v.naam));
    else st.bind_null(1).bind_null(2);
    if (v.plaats) st.bind(3, *v.plaats).bind(4, *v.plaats);
    else st.bind_null(3).bind_null(4);
    if (v.postcode) st.bind(5, normalize_postcode(*v.postcode)).bind(6, normalize_postcode(*v.postcode));
    else st.bind_null(5).bind_null(6);
    while (st.step()) rows.push_back(row_from(st));
  }
  for (auto& r : rows) {
    if (r.samengevoegd_in)
      a.meldingen.push_back(melding("LB-SAMENGEVOEGD", Ernst::waarschuwing,
                                    "leerbedrijf " + r.s.id.str() + " is samengevoegd met " + *r.samengevoegd_in,
                                    "LeerbedrijfID"));
    a.leerbedrijven.push_back(std::move(r.s));
  }
  if (a.leerbedrijven.empty())
    a.meldingen.push_back(melding("LB-GEEN-RESULTAAT", Ernst::informatie, "geen leerbedrijf gevonden met deze gegevens"));
  return a;
}

lb::VerifieerAntwoord LeerbedrijfBackend::verifieer(const lb::VerifieerVerzoek& v) {
  auto& c = pool_.get();
  lb::VerifieerAntwoord a;
  const std::string peil = v.peildatum.str();
  {
    auto st = c.prepare("SELECT samengevoegd_in FROM leerbedrijven WHERE id = ?");
    st.bind(1, v.id.str());
    if (!st.step()) {
      a.signaal_code = "ONBEKEND";
      a.signaal_omschrijving = "LeerbedrijfID " + v.id.str() + " is niet bekend bij SBB";
      a.meldingen.push_back(melding("LB-ONBEKEND", Ernst::fout, "LeerbedrijfID is niet bekend", "LeerbedrijfID"));
      return a;
    }
    if (auto merged = st.opt_text(0)) {
      a.signaal_code = "SAMENGEVOEGD";
      a.signaal_omschrijving = "leerbedrijf " + v.id.str() + " is samengevoegd met " + *merged + "; gebruik " + *merged;
      return a;
    }
  }
  struct Cand {
    std::string begin;
    std::optional<std::string> eind, intrek;
    lb::ErkenningStatus status;
  };
  std::vector<Cand> cands;
  auto st = c.prepare("SELECT begindatum, einddatum, intrekdatum FROM erkenningen "
                      "WHERE leerbedrijf_id = ? AND crebo = ? AND leerweg = ? ORDER BY begindatum DESC");
  st.bind(1, v.id.str()).bind(2, v.crebo.str()).bind(3, to_string(v.leerweg));
  while (st.step()) {
    Cand x{st.text(0), st.opt_text(1), st.opt_text(2), lb::ErkenningStatus::erkend};
    x.status = status_on(x.begin, x.eind, x.intrek, peil);
    cands.push_back(std::move(x));
  }
  if (cands.empty()) {
    a.signaal_code = "GEEN_ERKENNING";
    a.signaal_omschrijving = "geen erkenning voor crebo " + v.crebo.str() + " en leerweg " + to_string(v.leerweg);
    return a;
  }
  // The erkenning that tells most: one valid on the peildatum, else a future one, else the latest.
  auto rank = [](lb::ErkenningStatus s) {
    return s == lb::ErkenningStatus::erkend ? 0 : s == lb::ErkenningStatus::toekomstig ? 1 : 2;
  };
  const Cand& best = *std::min_element(cands.begin(), cands.end(),
                                       [&](const Cand& x, const Cand& y) { return rank(x.status) < rank(y.status); });
  a.begindatum = *Datum::parse(best.begin);
  if (best.intrek) a.einddatum = *Datum::parse(*best.intrek);
  else if (best.eind) a.einddatum = *Datum::parse(*best.eind);
  switch (best.status) {
    case lb::ErkenningStatus::erkend:
      a.erkend = true;
      a.signaal_code = "ERKEND";
      a.signaal_omschrijving = "erkend op " + peil;
      break;
    case lb::ErkenningStatus::toekomstig:
      a.signaal_code = "NOG_NIET_GELDIG";
      a.signaal_omschrijving = "erkenning gaat in op " + best.begin;
      break;
    case lb::ErkenningStatus::ingetrokken:
      a.signaal_code = "INGETROKKEN";
      a.signaal_omschrijving = "erkenning ingetrokken per " + *best.intrek;
      break;
    case lb::ErkenningStatus::verlopen:
      a.signaal_code = "VERLOPEN";
      a.signaal_omschrijving = "erkenning verlopen op " + best.eind.value_or("");
      break;
  }
  return a;
}

lb::DetailsAntwoord LeerbedrijfBackend::details(const LeerbedrijfId& id) {
  auto& c = pool_.get();
  lb::DetailsAntwoord a;
  auto st = c.prepare("SELECT id, naam, kvk, vestiging, straat, huisnummer, postcode, plaats, lat, lon, samengevoegd_in, "
                      "telefoon, website FROM leerbedrijven WHERE id = ?");
  st.bind(1, id.str());
  if (!st.step()) {
    a.meldingen.push_back(melding("LB-ONBEKEND", Ernst::fout, "LeerbedrijfID is niet bekend", "LeerbedrijfID"));
    return a;
  }
  Row r = row_from(st);
  lb::Details d{r.s, st.text(11), st.text(12), {}, {}, {}};
  if (r.samengevoegd_in)
    a.meldingen.push_back(melding("LB-SAMENGEVOEGD", Ernst::waarschuwing,
                                  "leerbedrijf is samengevoegd met " + *r.samengevoegd_in, "LeerbedrijfID"));
  const std::string today = today_utc().str();
  auto e = c.prepare("SELECT e.crebo, coalesce(k.naam, ''), e.leerweg, e.begindatum, e.einddatum, e.intrekdatum "
                     "FROM erkenningen e LEFT JOIN kwalificaties k ON k.crebo = e.crebo "
                     "WHERE e.leerbedrijf_id = ? ORDER BY e.crebo, e.leerweg, e.begindatum");
  e.bind(1, id.str());
  while (e.step()) {
    auto eind = e.opt_text(4), intrek = e.opt_text(5);
    lb::Erkenning x{*Crebo::parse(e.text(0)), e.text(1), *parse_leerweg(e.text(2)), *Datum::parse(e.text(3)),
                    std::nullopt, status_on(e.text(3), eind, intrek, today)};
    if (intrek) x.einddatum = *Datum::parse(*intrek);
    else if (eind) x.einddatum = *Datum::parse(*eind);
    d.erkenningen.push_back(std::move(x));
  }
  auto p = c.prepare("SELECT id, naam, functie, email FROM praktijkopleiders WHERE leerbedrijf_id = ? ORDER BY id");
  p.bind(1, id.str());
  while (p.step()) d.praktijkopleiders.push_back({p.text(0), p.text(1), p.text(2), p.text(3)});
  auto l = c.prepare("SELECT crebo, leerweg, aantal, beschikbaar FROM leerplaatsen WHERE leerbedrijf_id = ? ORDER BY crebo, leerweg");
  l.bind(1, id.str());
  while (l.step())
    d.leerplaatsen.push_back({*Crebo::parse(l.text(0)), *parse_leerweg(l.text(1)), static_cast<int>(l.integer(2)),
                              static_cast<int>(l.integer(3))});
  a.leerbedrijf = std::move(d);
  return a;
}

lb::ZoekAntwoord LeerbedrijfBackend::zoek(const lb::ZoekVerzoek& v) {
  auto& c = pool_.get();
  lb::ZoekAntwoord a;
  a.pagina = v.pagina;
  a.pagina_grootte = v.pagina_grootte;
  std::optional<Place> centre;
  if (v.plaats && v.max_afstand_km) {
    centre = find_place(*v.plaats);
    if (!centre) {
      a.meldingen.push_back(melding("LB-ONBEKENDE-PLAATS", Ernst::fout, "plaats is niet bekend voor zoeken op afstand", "Plaats"));
      return a;
    }
  }
  const std::string today = today_utc().str();
  auto st = c.prepare(
      "SELECT l.id, l.naam, l.kvk, l.vestiging, l.straat, l.huisnummer, l.postcode, l.plaats, l.lat, l.lon, l.samengevoegd_in "
      "FROM leerbedrijven l WHERE l.samengevoegd_in IS NULL "
      "AND (?1 IS NULL OR instr(lower(l.naam), ?1) > 0) "
      "AND (?2 IS NULL OR l.plaats = ?2 COLLATE NOCASE) "
      "AND (?3 IS NULL AND ?4 IS NULL OR EXISTS (SELECT 1 FROM erkenningen e WHERE e.leerbedrijf_id = l.id "
      "     AND (?3 IS NULL OR e.crebo = ?3) AND (?4 IS NULL OR e.leerweg = ?4) "
      "     AND e.begindatum <= ?5 AND (e.einddatum IS NULL OR e.einddatum >= ?5) "
      "     AND (e.intrekdatum IS NULL OR e.intrekdatum > ?5))) "
      "AND (?6 = 0 OR EXISTS (SELECT 1 FROM leerplaatsen p WHERE p.leerbedrijf_id = l.id AND p.beschikbaar > 0 "
      "     AND (?3 IS NULL OR p.crebo = ?3) AND (?4 IS NULL OR p.leerweg = ?4)))");
  if (v.naam) st.bind(1, lower(*v.naam)); else st.bind_null(1);
  if (v.plaats && !centre) st.bind(2, *v.plaats); else st.bind_null(2);
  if (v.crebo) st.bind(3, v.crebo->str()); else st.bind_null(3);
  if (v.leerweg) st.bind(4, to_string(*v.leerweg)); else st.bind_null(4);
  st.bind(5, today);
  st.bind(6, v.alleen_vrije_leerplaatsen ? 1 : 0);
  std::vector<lb::Samenvatting> found;
  while (st.step()) {
    Row r = row_from(st);
    if (centre) {
      double d = haversine_km(centre->lat, centre->lon, r.lat, r.lon);
      if (d > *v.max_afstand_km) continue;
      r.s.afstand_km = std::round(d * 10) / 10;
    }
    found.push_back(std::move(r.s));
  }
  std::sort(found.begin(), found.end(), [](const lb::Samenvatting& x, const lb::Samenvatting& y) {
    double dx = x.afstand_km.value_or(0), dy = y.afstand_km.value_or(0);
    if (dx != dy) return dx < dy;
    if (x.naam != y.naam) return x.naam < y.naam;
    return x.id.str() < y.id.str();
  });
  a.totaal = static_cast<int>(found.size());
  std::size_t from = static_cast<std::size_t>(v.pagina - 1) * static_cast<std::size_t>(v.pagina_grootte);
  for (std::size_t i = from; i < found.size() && i < from + static_cast<std::size_t>(v.pagina_grootte); ++i)
    a.leerbedrijven.push_back(found[i]);
  return a;
}

lb::VoordrachtAntwoord LeerbedrijfBackend::voordragen(const lb::VoordrachtVerzoek& v) {
  auto& c = pool_.get();
  lb::VoordrachtAntwoord a;
  // A company that is already erkend for this crebo and leerweg needs no voordracht: accepted
  // (the school may know better, e.g. another vestiging) but with a warning.
  {
    const std::string today = today_utc().str();
    auto st = c.prepare("SELECT l.id FROM leerbedrijven l JOIN erkenningen e ON e.leerbedrijf_id = l.id "
                        "WHERE l.kvk = ? AND e.crebo = ? AND e.leerweg = ? AND e.begindatum <= ? "
                        "AND (e.einddatum IS NULL OR e.einddatum >= ?) AND (e.intrekdatum IS NULL OR e.intrekdatum > ?) LIMIT 1");
    st.bind(1, v.kvk.str()).bind(2, v.crebo.str()).bind(3, to_string(v.leerweg)).bind(4, today).bind(5, today).bind(6, today);
    if (st.step())
      a.meldingen.push_back(melding("LB-AL-ERKEND", Ernst::waarschuwing,
                                    "dit bedrijf is al erkend voor deze kwalificatie en leerweg (LeerbedrijfID " +
                                        st.text(0) + ")",
                                    "KvkNummer"));
  }
  sqlitedb::Transaction tx(c);
  auto existing = c.prepare("SELECT nummer, status FROM voordrachten WHERE school_oin = ? AND bericht = ?");
  existing.bind(1, v.school.str()).bind(2, v.bericht.str());
  std::int64_t nummer = 0;
  if (existing.step()) {
    nummer = existing.integer(0);
    a.status = existing.text(1);
  } else {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    c.prepare("INSERT INTO voordrachten (school_oin, bericht, kvk, vestiging, naam, straat, huisnummer, postcode, plaats, "
              "crebo, leerweg, contact_naam, contact_email, contact_telefoon, toelichting, status, ontvangen_ms) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ontvangen', ?)")
        .bind(1, v.school.str()).bind(2, v.bericht.str()).bind(3, v.kvk.str())
        .bind(4, v.vestiging ? std::optional<std::string>(v.vestiging->str()) : std::nullopt)
        .bind(5, v.naam).bind(6, v.adres.straat).bind(7, v.adres.huisnummer).bind(8, v.adres.postcode)
        .bind(9, v.adres.plaats).bind(10, v.crebo.str()).bind(11, to_string(v.leerweg)).bind(12, v.contact.naam)
        .bind(13, v.contact.email).bind(14, v.contact.telefoon).bind(15, v.toelichting).bind(16, static_cast<std::int64_t>(now))
        .run();
    nummer = c.last_insert_id();
    a.status = "ontvangen";
  }
  tx.commit();
  char id[32];
  std::snprintf(id, sizeof id, "VD-%06lld", static_cast<long long>(nummer));
  a.voordracht_id = id;
  return a;
}

lb::MutatiesAntwoord LeerbedrijfBackend::mutaties(const lb::MutatiesVerzoek& v) {
  auto& c = pool_.get();
  lb::MutatiesAntwoord a;
  {
    auto st = c.prepare("SELECT coalesce(max(volgnummer), 0) FROM mutaties");
    if (st.step()) a.laatste_volgnummer = st.integer(0);
  }
  auto st = c.prepare("SELECT volgnummer, soort, tijdstip, leerbedrijf_id, nieuw_id, crebo, leerweg, begindatum, einddatum, naam "
                      "FROM mutaties WHERE volgnummer > ? ORDER BY volgnummer LIMIT ?");
  st.bind(1, v.vanaf_volgnummer).bind(2, v.max_aantal);
  while (st.step()) {
    lb::Mutatie m{st.integer(0), st.text(1), st.integer(2), *LeerbedrijfId::parse(st.text(3)), std::nullopt, std::nullopt,
                  std::nullopt, std::nullopt, std::nullopt, st.opt_text(9)};
    if (auto x = st.opt_text(4)) m.nieuw_leerbedrijf = *LeerbedrijfId::parse(*x);
    if (auto x = st.opt_text(5)) m.crebo = *Crebo::parse(*x);
    if (auto x = st.opt_text(6)) m.leerweg = *parse_leerweg(*x);
    if (auto x = st.opt_text(7)) m.begindatum = *Datum::parse(*x);
    if (auto x = st.opt_text(8)) m.einddatum = *Datum::parse(*x);
    a.mutaties.push_back(std::move(m));
  }
  return a;
}

}  // namespace edugate::adapters::sqlite
