#include "adapters/db/bpvmonitor_backend.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>

#include "adapters/db/database.h"
#include "adapters/db/leerbedrijf_fixtures.h"
#include "core/clock.h"
#include "core/rules.h"

namespace edugate::adapters::db {

namespace bm = edugate::bpvmonitor;

namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS bpv_schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS studentgegevens (
  school_oin TEXT NOT NULL, bpvo_kenmerk TEXT NOT NULL, brin TEXT NOT NULL, rio_aanbieder TEXT NOT NULL,
  rio_locatie TEXT NOT NULL, opleidingscode TEXT NOT NULL, leerweg TEXT NOT NULL, leerbedrijf_id TEXT NOT NULL,
  einddatum TEXT NOT NULL, uitnodigingsdatum TEXT NOT NULL, voornaam TEXT NOT NULL, achternaam TEXT NOT NULL,
  email TEXT NOT NULL, status TEXT NOT NULL, gewijzigd_ms INTEGER NOT NULL, PRIMARY KEY (school_oin, bpvo_kenmerk));
CREATE TABLE IF NOT EXISTS responses (
  respondent_id TEXT PRIMARY KEY, brin TEXT NOT NULL, periode TEXT NOT NULL, groep TEXT NOT NULL,
  opleidingscode TEXT NOT NULL, leerweg TEXT NOT NULL, rio_locatie TEXT NOT NULL, leerbedrijf_id TEXT NOT NULL,
  s1 INTEGER, s2 INTEGER, s3 INTEGER, s4 INTEGER, s5 INTEGER, s6 INTEGER, s7 INTEGER);
CREATE INDEX IF NOT EXISTS responses_brin ON responses(brin, periode);
CREATE INDEX IF NOT EXISTS responses_periode ON responses(periode);
INSERT INTO bpv_schema_version SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM bpv_schema_version);
)SQL";

constexpr const char* kPostgresV1 = R"SQL(
CREATE TABLE studentgegevens (
  school_oin TEXT NOT NULL, bpvo_kenmerk TEXT NOT NULL, brin TEXT NOT NULL, rio_aanbieder TEXT NOT NULL,
  rio_locatie TEXT NOT NULL, opleidingscode TEXT NOT NULL, leerweg TEXT NOT NULL, leerbedrijf_id TEXT NOT NULL,
  einddatum TEXT NOT NULL, uitnodigingsdatum TEXT NOT NULL, voornaam TEXT NOT NULL, achternaam TEXT NOT NULL,
  email TEXT NOT NULL, status TEXT NOT NULL, gewijzigd_ms BIGINT NOT NULL, PRIMARY KEY (school_oin, bpvo_kenmerk));
CREATE TABLE responses (
  respondent_id TEXT PRIMARY KEY, brin TEXT NOT NULL, periode TEXT NOT NULL, groep TEXT NOT NULL,
  opleidingscode TEXT NOT NULL, leerweg TEXT NOT NULL, rio_locatie TEXT NOT NULL, leerbedrijf_id TEXT NOT NULL,
  s1 BIGINT, s2 BIGINT, s3 BIGINT, s4 BIGINT, s5 BIGINT, s6 BIGINT, s7 BIGINT);
CREATE INDEX responses_brin ON responses(brin, periode);
CREATE INDEX responses_periode ON responses(periode);
)SQL";

void store_record(sql::Connection& c, const Oin& school, const bm::Studentgegeven& r, const Datum& uitnodiging) {
  c.prepare("INSERT INTO studentgegevens (school_oin, bpvo_kenmerk, brin, rio_aanbieder, rio_locatie, opleidingscode, "
            "leerweg, leerbedrijf_id, einddatum, uitnodigingsdatum, voornaam, achternaam, email, status, gewijzigd_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'actief', ?) "
            "ON CONFLICT(school_oin, bpvo_kenmerk) DO UPDATE SET brin = excluded.brin, rio_aanbieder = excluded.rio_aanbieder, "
            "rio_locatie = excluded.rio_locatie, opleidingscode = excluded.opleidingscode, leerweg = excluded.leerweg, "
            "leerbedrijf_id = excluded.leerbedrijf_id, einddatum = excluded.einddatum, "
            "uitnodigingsdatum = excluded.uitnodigingsdatum, voornaam = excluded.voornaam, "
            "achternaam = excluded.achternaam, email = excluded.email, status = 'actief', gewijzigd_ms = excluded.gewijzigd_ms")
      .bind(1, school.str()).bind(2, r.bpvo_kenmerk).bind(3, r.brin.str()).bind(4, r.rio_aanbieder.str())
      .bind(5, r.rio_locatie.str()).bind(6, r.opleidingscode.str()).bind(7, to_string(r.leerweg))
      .bind(8, r.leerbedrijf.str()).bind(9, r.einddatum.str()).bind(10, uitnodiging.str()).bind(11, r.voornaam)
      .bind(12, r.achternaam).bind(13, r.email).bind(14, now_ms()).run();
}

std::optional<std::string> record_status(sql::Connection& c, const Oin& school, const std::string& kenmerk) {
  auto st = c.prepare("SELECT status FROM studentgegevens WHERE school_oin = ? AND bpvo_kenmerk = ?");
  st.bind(1, school.str()).bind(2, kenmerk);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

}  // namespace

const std::vector<sql::Migration>& bpvmonitor_migrations() {
  static const std::vector<sql::Migration> m{{1, kPostgresV1}, {2, kWriteKeysSchema}};
  return m;
}

BpvMonitorBackend::BpvMonitorBackend(BpvMonitorSettings s)
    : settings_(std::move(s)),
      pool_(database(settings_.path, settings_.dsn, "bpv", kBpvMonitorLock), [this](sql::Connection& c) {
        if (c.dialect() != sql::Dialect::sqlite) return;  // PostgreSQL: schema lb is in the same database
        c.exec(kSchema);
        c.exec(kWriteKeysSchema);
        sql::attach_read_only(c, settings_.leerbedrijf_path, "lb");
      }) {
  if (settings_.dsn.empty()) {
    if (!std::filesystem::exists(settings_.leerbedrijf_path))
      throw std::runtime_error("adapters.sqlite (bpvmonitor): leerbedrijf_path " + settings_.leerbedrijf_path +
                               " does not exist (start the leerbedrijf service with the sqlite adapter first)");
    if (auto parent = std::filesystem::path(settings_.path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
  }
  auto& c = pool_.get();
  if (c.dialect() == sql::Dialect::postgres) require_leerbedrijf_schema(c, "bpvmonitor");
  sql::ensure_migrated(c, "bpv", bpvmonitor_migrations(), settings_.migrate);
  if (settings_.demo_data) fill_bpvmonitor_fixtures(c, settings_.fixture_seed);
}

Meldingen BpvMonitorBackend::check(sql::Connection& c, const Oin& school, const bm::Studentgegeven& r,
                                   std::optional<Datum>& uitnodiging) {
  Meldingen m;
  auto school_brin = brin_of(school);
  if (!school_brin || !(*school_brin == r.brin))
    m.push_back(fout(rules::BPV_BRIN, "BRIN hoort niet bij de school waarvoor geleverd wordt", "Brin"));
  {
    auto st = c.prepare("SELECT samengevoegd_in FROM lb.leerbedrijven WHERE id = ?");
    st.bind(1, r.leerbedrijf.str());
    if (!st.step()) m.push_back(fout(rules::BPV_LEERBEDRIJF, "LeerbedrijfID is niet bekend bij SBB", "LeerbedrijfID"));
    else if (auto merged = st.opt_text(0))
      m.push_back(fout(rules::BPV_LEERBEDRIJF, "leerbedrijf is samengevoegd met " + *merged + "; gebruik dat LeerbedrijfID",
                       "LeerbedrijfID"));
  }
  const long today = days_from_civil(today_utc());
  const long eind = days_from_civil(r.einddatum);
  if (eind < today) m.push_back(fout(rules::BPV_AFGELOPEN, "Einddatum ligt in het verleden: de bpv is al afgelopen", "Einddatum"));
  else if (eind > today + 3 * 366)
    m.push_back(fout(rules::BPV_EINDDATUM, "Einddatum ligt meer dan drie jaar in de toekomst", "Einddatum"));
  if (!m.empty()) return m;
  long invite = eind - bm::kUitnodigingDagenVoorEinde;
  if (invite < today) {
    invite = today;
    m.push_back(melding(rules::BPV_KORT, Ernst::waarschuwing,
                        "Einddatum ligt binnen drie weken: de student wordt zo snel mogelijk uitgenodigd", "Einddatum"));
  }
  uitnodiging = civil_from_days(invite);
  return m;
}

void BpvMonitorBackend::check_and_store(sql::Connection& c, const Oin& school, const bm::Studentgegeven& r,
                                        bm::Recordresultaat& res) {
  std::optional<Datum> uitnodiging;
  res.meldingen = check(c, school, r, uitnodiging);
  if (has_fout(res.meldingen)) return;
  store_record(c, school, r, *uitnodiging);
  res.status = "geaccepteerd";
  res.uitnodigingsdatum = uitnodiging;
}

std::vector<bm::Recordresultaat> BpvMonitorBackend::lever_aan(const Oin& school, const std::vector<bm::Studentgegeven>& records) {
  auto& c = pool_.get();
  std::vector<bm::Recordresultaat> out;
  std::set<std::string> seen;
  sql::Transaction tx(c);
  for (const auto& r : records) {
    bm::Recordresultaat res{r.bpvo_kenmerk, "geweigerd", std::nullopt, {}};
    if (!seen.insert(r.bpvo_kenmerk).second) {
      res.meldingen.push_back(fout(rules::BPV_DUBBEL, "BpvoKenmerk komt meer dan eens voor in dit bericht", "BpvoKenmerk"));
    } else if (record_status(c, school, r.bpvo_kenmerk) == std::optional<std::string>("actief")) {
      res.meldingen.push_back(fout(rules::BPV_BESTAAT, "BpvoKenmerk is al geleverd; gebruik CorrigeerStudentgegeven", "BpvoKenmerk"));
    } else {
      check_and_store(c, school, r, res);
    }
    out.push_back(std::move(res));
  }
  tx.commit();
  return out;
}

bm::Recordresultaat BpvMonitorBackend::corrigeer(const Oin& school, const bm::Studentgegeven& r) {
  auto& c = pool_.get();
  bm::Recordresultaat res{r.bpvo_kenmerk, "geweigerd", std::nullopt, {}};
  sql::Transaction tx(c);
  if (record_status(c, school, r.bpvo_kenmerk) != std::optional<std::string>("actief")) {
    res.meldingen.push_back(fout(rules::BPV_ONBEKEND, "geen geleverd record met dit BpvoKenmerk", "BpvoKenmerk"));
    return res;
  }
  check_and_store(c, school, r, res);
  tx.commit();
  return res;
}

bm::Recordresultaat BpvMonitorBackend::trek_in(const Oin& school, const std::string& kenmerk) {
  auto& c = pool_.get();
  bm::Recordresultaat res{kenmerk, "geweigerd", std::nullopt, {}};
  sql::Transaction tx(c);
  if (record_status(c, school, kenmerk) != std::optional<std::string>("actief")) {
    res.meldingen.push_back(fout(rules::BPV_ONBEKEND, "geen geleverd record met dit BpvoKenmerk", "BpvoKenmerk"));
    return res;
  }
  // Withdrawn: the student is not invited; the personal data is erased, the key is kept.
  c.prepare("UPDATE studentgegevens SET status = 'ingetrokken', voornaam = '', achternaam = '', email = '', gewijzigd_ms = ? "
            "WHERE school_oin = ? AND bpvo_kenmerk = ?")
      .bind(1, now_ms()).bind(2, school.str()).bind(3, kenmerk).run();
  tx.commit();
  res.status = "ingetrokken";
  return res;
}

bm::Resultaten BpvMonitorBackend::resultaten(const Brin& brin, const bm::Resultatenfilter& f) {
  auto& c = pool_.get();
  bm::Resultaten out;
  out.minimale_respons = settings_.minimale_respons;
  // Per group: count and the mean of each theme, for the school and for the whole country.
  struct Agg {
    int n = 0;
    double mean[7] = {};
  };
  auto query = [&](bool school, const char* groep) {
    auto st = c.prepare(
        "SELECT count(*), avg(s1), avg(s2), avg(s3), avg(s4), avg(s5), avg(s6), avg(s7) FROM responses "
        "WHERE periode = ?1 AND groep = ?2 AND (CAST(?3 AS TEXT) IS NULL OR brin = ?3) "
        "AND (CAST(?4 AS TEXT) IS NULL OR opleidingscode = ?4) AND (CAST(?5 AS TEXT) IS NULL OR leerweg = ?5) "
        "AND (CAST(?6 AS TEXT) IS NULL OR rio_locatie = ?6)");
    st.bind(1, f.periode.str()).bind(2, groep);
    if (school) st.bind(3, brin.str()); else st.bind_null(3);
    if (f.opleidingscode) st.bind(4, f.opleidingscode->str()); else st.bind_null(4);
    if (f.leerweg) st.bind(5, to_string(*f.leerweg)); else st.bind_null(5);
    if (school && f.rio_locatie) st.bind(6, f.rio_locatie->str()); else st.bind_null(6);
    Agg a;
    if (st.step()) {
      a.n = static_cast<int>(st.integer(0));
      for (int i = 0; i < 7; ++i) a.mean[i] = st.real(1 + i);
    }
    return a;
  };
  for (const char* groep : bm::kGroepen) {
    Agg own = query(true, groep), land = query(false, groep);
    for (int t = 0; t < 7; ++t) {
      bm::Themaresultaat cell{bm::kThemas[t], groep, own.n, own.n < settings_.minimale_respons, std::nullopt, std::nullopt};
      // A suppressed cell shows no mean at all, never a number that could identify respondents.
      if (!cell.onderdrukt) cell.gemiddelde = std::round(own.mean[t] * 10) / 10;
      if (land.n >= settings_.minimale_respons) cell.landelijk = std::round(land.mean[t] * 10) / 10;
      out.cellen.push_back(cell);
    }
  }
  if (out.cellen.front().aantal == 0 && out.cellen[7].aantal == 0)
    out.meldingen.push_back(melding(rules::BPV_GEEN_RESPONS, Ernst::informatie, "geen respons voor deze selectie", "Filter"));
  return out;
}

bm::Responsrecords BpvMonitorBackend::responsrecords(const Brin& brin, const std::optional<Periode>& periode, int pagina,
                                                     int grootte) {
  auto& c = pool_.get();
  bm::Responsrecords out;
  out.pagina = pagina;
  out.pagina_grootte = grootte;
  {
    auto st = c.prepare("SELECT count(*) FROM responses WHERE brin = ? AND (CAST(? AS TEXT) IS NULL OR periode = ?)");
    st.bind(1, brin.str());
    if (periode) st.bind(2, periode->str()).bind(3, periode->str()); else st.bind_null(2).bind_null(3);
    if (st.step()) out.totaal = static_cast<int>(st.integer(0));
  }
  auto st = c.prepare("SELECT respondent_id, groep, periode, opleidingscode, leerweg, rio_locatie, leerbedrijf_id, "
                      "s1, s2, s3, s4, s5, s6, s7 FROM responses WHERE brin = ? AND (CAST(? AS TEXT) IS NULL OR periode = ?) "
                      "ORDER BY periode, respondent_id LIMIT ? OFFSET ?");
  st.bind(1, brin.str());
  if (periode) st.bind(2, periode->str()).bind(3, periode->str()); else st.bind_null(2).bind_null(3);
  st.bind(4, grootte).bind(5, static_cast<std::int64_t>(pagina - 1) * grootte);
  while (st.step()) {
    bm::Responsrecord r{st.text(0), st.text(1), *Periode::parse(st.text(2)), *Crebo::parse(st.text(3)),
                        *parse_leerweg(st.text(4)), *RioLocatiecode::parse(st.text(5)), *LeerbedrijfId::parse(st.text(6)), {}};
    for (int t = 0; t < 7; ++t)
      if (!st.is_null(7 + t)) r.scores.push_back({bm::kThemas[t], static_cast<int>(st.integer(7 + t))});
    out.records.push_back(std::move(r));
  }
  return out;
}

int fill_bpvmonitor_fixtures(sql::Connection& c, std::uint64_t seed) {
  sql::Transaction tx(c);
  {
    auto st = c.prepare("SELECT count(*) FROM responses");
    if (st.step() && st.integer(0) > 0) return 0;
  }
  std::vector<std::string> leerbedrijven;
  {
    auto st = c.prepare("SELECT id FROM lb.leerbedrijven WHERE samengevoegd_in IS NULL ORDER BY id");
    while (st.step()) leerbedrijven.push_back(st.text(0));
  }
  if (leerbedrijven.empty()) leerbedrijven.push_back(fixtures::kErkendId);
  struct School {
    std::string brin;
    int per_periode;
  };
  // The demo schools (large, medium, and one too small to show: suppression), then others.
  std::vector<School> schools{{"25BE", 240}, {"30GR", 90}, {"21CA", 12}};
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20; ++i) {
    std::string b = std::to_string(10 + i);  // 10..29: two digits, then two letters
    b += static_cast<char>('A' + rng() % 26);
    b += static_cast<char>('A' + rng() % 26);
    schools.push_back({b, 40 + static_cast<int>(rng() % 80)});
  }
  const char* opleidingen[] = {"25180", "25250", "25480", "25452", "25604", "25191", "25655", "25410"};
  int n = 0;
  for (const char* periode : {"2026-K1", "2026-K2", "2026-K3"}) {
    for (const auto& s : schools) {
      double school_bias = static_cast<double>(rng() % 15) / 10.0 - 0.7;
      for (int i = 0; i < s.per_periode; ++i) {
        char rid[32], loc[8];
        std::snprintf(rid, sizeof rid, "R%s-%s-%05d", s.brin.c_str(), periode, i);
        std::snprintf(loc, sizeof loc, "%03dX%03d", 100 + static_cast<int>(std::hash<std::string>{}(s.brin) % 800),
                      1 + static_cast<int>(rng() % 3));
        const char* groep = rng() % 10 < 6 ? "student" : "praktijkopleider";
        auto st = c.prepare("INSERT INTO responses (respondent_id, brin, periode, groep, opleidingscode, leerweg, rio_locatie, "
                            "leerbedrijf_id, s1, s2, s3, s4, s5, s6, s7) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        st.bind(1, rid).bind(2, s.brin).bind(3, periode).bind(4, groep)
            .bind(5, opleidingen[rng() % 8]).bind(6, rng() % 2 ? "BOL" : "BBL").bind(7, loc)
            .bind(8, leerbedrijven[rng() % leerbedrijven.size()]);
        std::normal_distribution<double> score(7.2 + school_bias, 1.3);
        for (int t = 0; t < 7; ++t) {
          double v = std::round(score(rng));
          st.bind(9 + t, static_cast<std::int64_t>(std::clamp(v, 1.0, 10.0)));
        }
        st.run();
        ++n;
      }
    }
  }
  tx.commit();
  return n;
}

}  // namespace edugate::adapters::db
