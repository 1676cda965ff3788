// The embedded Praktijkloket backend: every rule of domain.md §2 on SQLite. Each call is one
// transaction (bulk: one savepoint per item); data is always scoped to the calling school.
#include "adapters/sqlite/praktijkloket_backend.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "adapters/sqlite/kwalificaties.h"
#include "adapters/pdf/praktijkloket_pdf.h"

namespace edugate::adapters::sqlite {
namespace {

namespace pl = edugate::praktijkloket;
namespace kw = kwalificaties;

std::optional<std::string> current_version(sqlitedb::Connection& c, const Crebo& crebo) {
  auto v = kw::actuele_versie(c, crebo, today_utc());
  if (!v) return std::nullopt;
  return v->versie;
}

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS pl_schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deelnemers (
  id INTEGER PRIMARY KEY AUTOINCREMENT, school_oin TEXT NOT NULL, voornaam TEXT NOT NULL, tussenvoegsel TEXT NOT NULL,
  achternaam TEXT NOT NULL, geboortedatum TEXT NOT NULL, email TEXT NOT NULL, onderwijsvorm TEXT NOT NULL,
  kenmerk TEXT NOT NULL, archief INTEGER NOT NULL DEFAULT 0, aangemaakt TEXT NOT NULL, aangemaakt_door TEXT NOT NULL,
  gewijzigd TEXT);
CREATE INDEX IF NOT EXISTS deelnemers_school ON deelnemers(school_oin, geboortedatum);
CREATE TABLE IF NOT EXISTS deelnemer_opleiders (
  id INTEGER PRIMARY KEY AUTOINCREMENT, deelnemer_id INTEGER NOT NULL REFERENCES deelnemers(id) ON DELETE CASCADE,
  leerbedrijf_id TEXT NOT NULL, naam TEXT NOT NULL, functie TEXT NOT NULL, email TEXT NOT NULL, telefoon TEXT NOT NULL,
  aangemaakt TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS begeleidingsdocumenten (
  id INTEGER PRIMARY KEY AUTOINCREMENT, school_oin TEXT NOT NULL,
  deelnemer_id INTEGER NOT NULL REFERENCES deelnemers(id) ON DELETE CASCADE, leerbedrijf_id TEXT NOT NULL,
  praktijkopleider_id TEXT NOT NULL, po_naam TEXT NOT NULL, po_functie TEXT NOT NULL, po_email TEXT NOT NULL,
  begindatum TEXT NOT NULL, einddatum TEXT NOT NULL, afgerond INTEGER NOT NULL DEFAULT 0, aangemaakt TEXT NOT NULL,
  afgerond_op TEXT, aangemaakt_door TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bd_werkprocessen (
  document_id INTEGER NOT NULL REFERENCES begeleidingsdocumenten(id) ON DELETE CASCADE, volgorde INTEGER NOT NULL,
  crebo TEXT NOT NULL, versie TEXT NOT NULL, code TEXT NOT NULL, toon_gedrag INTEGER NOT NULL,
  kwalificatie_naam TEXT NOT NULL, naam TEXT NOT NULL, omschrijving TEXT NOT NULL, gewenst_resultaat TEXT NOT NULL,
  gedrag TEXT NOT NULL, PRIMARY KEY (document_id, volgorde));
CREATE TABLE IF NOT EXISTS praktijkverklaringen (
  id INTEGER PRIMARY KEY AUTOINCREMENT, school_oin TEXT NOT NULL,
  deelnemer_id INTEGER NOT NULL REFERENCES deelnemers(id) ON DELETE CASCADE, leerbedrijf_id TEXT NOT NULL,
  praktijkopleider_id TEXT, po_naam TEXT NOT NULL, onderwijsvorm TEXT NOT NULL, begindatum TEXT NOT NULL,
  einddatum TEXT NOT NULL, bpv_uren INTEGER NOT NULL, begeleidingsdocument_id INTEGER, logo BLOB,
  branchelogos TEXT NOT NULL, definitief INTEGER NOT NULL DEFAULT 0, aangemaakt TEXT NOT NULL, definitief_op TEXT,
  aangemaakt_door TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pv_werkprocessen (
  verklaring_id INTEGER NOT NULL REFERENCES praktijkverklaringen(id) ON DELETE CASCADE, volgorde INTEGER NOT NULL,
  crebo TEXT NOT NULL, versie TEXT NOT NULL, code TEXT NOT NULL, kwalificatie_naam TEXT NOT NULL, naam TEXT NOT NULL,
  PRIMARY KEY (verklaring_id, volgorde));
INSERT INTO pl_schema_version SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pl_schema_version);
)SQL";

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Melding fout(std::string code, std::string tekst, std::string veld) {
  return Melding{std::move(code), Ernst::fout, std::move(tekst), std::move(veld)};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <class T>
pl::Uitkomst<T> refused(Meldingen m) {
  pl::Uitkomst<T> u;
  u.meldingen = std::move(m);
  return u;
}
template <class T>
pl::Uitkomst<T> refused(Melding m) {
  return refused<T>(Meldingen{std::move(m)});
}

pl::Deelnemer read_deelnemer(sqlitedb::Statement& st) {
  pl::Deelnemer d;
  d.id = st.integer(0);
  d.gegevens.voornaam = st.text(1);
  d.gegevens.tussenvoegsel = st.text(2);
  d.gegevens.achternaam = st.text(3);
  d.gegevens.geboortedatum = *Datum::parse(st.text(4));
  d.gegevens.email = st.text(5);
  d.gegevens.onderwijsvorm = st.text(6);
  d.gegevens.kenmerk = st.text(7);
  d.archief = st.integer(8) != 0;
  return d;
}

std::optional<pl::Deelnemer> find_deelnemer(sqlitedb::Connection& c, const pl::Caller& who, pl::Id id) {
  auto st = c.prepare(
      "SELECT id, voornaam, tussenvoegsel, achternaam, geboortedatum, email, onderwijsvorm, kenmerk, archief "
      "FROM deelnemers WHERE id = ? AND school_oin = ?");
  st.bind(1, id).bind(2, who.school.str());
  if (!st.step()) return std::nullopt;
  return read_deelnemer(st);
}

Melding onbekende_deelnemer(const std::string& veld = "DeelnemerID") {
  return fout("PL-ONBEKENDE-DEELNEMER", "deelnemer is niet bekend bij deze school", veld);
}

// The existing deelnemer with the same naam and geboortedatum at this school, if any.
std::optional<pl::Id> duplicate_of(sqlitedb::Connection& c, const pl::Caller& who, const pl::Deelnemergegevens& g,
                                   std::optional<pl::Id> except) {
  auto st = c.prepare(
      "SELECT id FROM deelnemers WHERE school_oin = ? AND geboortedatum = ? AND lower(voornaam) = ? "
      "AND lower(tussenvoegsel) = ? AND lower(achternaam) = ? AND id <> ? ORDER BY id LIMIT 1");
  st.bind(1, who.school.str()).bind(2, g.geboortedatum.str()).bind(3, lower(g.voornaam)).bind(4, lower(g.tussenvoegsel))
      .bind(5, lower(g.achternaam)).bind(6, except.value_or(0));
  if (!st.step()) return std::nullopt;
  return st.integer(0);
}

Meldingen check_deelnemer(const pl::Deelnemergegevens& g, const std::string& prefix = {}) {
  Meldingen m;
  if (g.geboortedatum.str() > today_utc().str())
    m.push_back(fout("PL-GEBOORTEDATUM", "Geboortedatum ligt in de toekomst", prefix + "Geboortedatum"));
  else if (g.geboortedatum.str() < "1900-01-01")
    m.push_back(fout("PL-GEBOORTEDATUM", "Geboortedatum ligt voor 1900", prefix + "Geboortedatum"));
  return m;
}

pl::Id insert_deelnemer(sqlitedb::Connection& c, const pl::Caller& who, const pl::Deelnemergegevens& g) {
  c.prepare(
       "INSERT INTO deelnemers (school_oin, voornaam, tussenvoegsel, achternaam, geboortedatum, email, onderwijsvorm, "
       "kenmerk, aangemaakt, aangemaakt_door) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, who.school.str()).bind(2, g.voornaam).bind(3, g.tussenvoegsel).bind(4, g.achternaam)
      .bind(5, g.geboortedatum.str()).bind(6, g.email).bind(7, g.onderwijsvorm).bind(8, g.kenmerk).bind(9, now_iso())
      .bind(10, who.sender.str())
      .run();
  return c.last_insert_id();
}

// SBB's register (the Leerbedrijf database, attached as lb): known, and not merged away.
std::optional<Melding> check_leerbedrijf(sqlitedb::Connection& c, const LeerbedrijfId& id, const std::string& veld) {
  auto st = c.prepare("SELECT samengevoegd_in FROM lb.leerbedrijven WHERE id = ?");
  st.bind(1, id.str());
  if (!st.step()) return fout("PL-ONBEKEND-LEERBEDRIJF", "LeerbedrijfID is niet bekend bij SBB", veld);
  if (auto merged = st.opt_text(0))
    return fout("PL-ONBEKEND-LEERBEDRIJF", "leerbedrijf is samengevoegd met " + *merged + "; gebruik dat LeerbedrijfID", veld);
  return std::nullopt;
}

bool erkend(sqlitedb::Connection& c, const LeerbedrijfId& id) {
  const std::string today = today_utc().str();
  auto st = c.prepare(
      "SELECT 1 FROM lb.erkenningen WHERE leerbedrijf_id = ? AND begindatum <= ? AND (einddatum IS NULL OR einddatum >= ?) "
      "AND (intrekdatum IS NULL OR intrekdatum > ?) LIMIT 1");
  st.bind(1, id.str()).bind(2, today).bind(3, today).bind(4, today);
  return st.step();
}

struct Opleider {
  std::string naam, functie, email;
};

// A praktijkopleider of the leerbedrijf (SBB's list) or one added for this deelnemer.
std::optional<Opleider> find_opleider(sqlitedb::Connection& c, const pl::PraktijkopleiderId& id, const LeerbedrijfId& lb,
                                      pl::Id deelnemer) {
  if (id.rfind("D-", 0) == 0) {
    pl::Id n = 0;
    try {
      n = std::stoll(id.substr(2));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    auto st = c.prepare(
        "SELECT naam, functie, email FROM deelnemer_opleiders WHERE id = ? AND deelnemer_id = ? AND leerbedrijf_id = ?");
    st.bind(1, n).bind(2, deelnemer).bind(3, lb.str());
    if (!st.step()) return std::nullopt;
    return Opleider{st.text(0), st.text(1), st.text(2)};
  }
  auto st = c.prepare("SELECT naam, functie, email FROM lb.praktijkopleiders WHERE id = ? AND leerbedrijf_id = ?");
  st.bind(1, id).bind(2, lb.str());
  if (!st.step()) return std::nullopt;
  return Opleider{st.text(0), st.text(1), st.text(2)};
}

std::string veld(const std::string& base, std::size_t i, const std::string& sub) {
  return base + "[" + std::to_string(i + 1) + "]" + (sub.empty() ? "" : "/" + sub);
}

// Resolves versions and checks each werkproces against the kwalificatiestructuur.
Meldingen resolve_kwalificaties(sqlitedb::Connection& c, std::vector<pl::GekozenKwalificatie>& ks) {
  Meldingen m;
  if (ks.empty()) m.push_back(fout("VERPLICHT", "kies ten minste één kwalificatie", "Kwalificatie"));
  std::set<std::pair<std::string, std::string>> seen_k;
  for (std::size_t i = 0; i < ks.size(); ++i) {
    auto& k = ks[i];
    if (k.versie.empty()) {
      auto cur = current_version(c, k.crebo);
      if (!cur) {
        m.push_back(fout("PL-ONBEKENDE-KWALIFICATIE", "crebo " + k.crebo.str() + " is niet bekend",
                         veld("Kwalificatie", i, "Crebo")));
        continue;
      }
      k.versie = *cur;
    } else if (!kw::find_kwalificatie(c, k.crebo, k.versie, today_utc())) {
      m.push_back(fout("PL-ONBEKENDE-KWALIFICATIE", "kwalificatie " + k.crebo.str() + " versie " + k.versie + " bestaat niet",
                       veld("Kwalificatie", i, "Versie")));
      continue;
    }
    if (!seen_k.insert({k.crebo.str(), k.versie}).second)
      m.push_back(fout("PL-DUBBEL", "kwalificatie staat er twee keer in", veld("Kwalificatie", i, "Crebo")));
    if (k.werkprocessen.empty())
      m.push_back(fout("VERPLICHT", "kies ten minste één werkproces", veld("Kwalificatie", i, "Werkproces")));
    std::set<std::string> seen;
    for (std::size_t j = 0; j < k.werkprocessen.size(); ++j) {
      const auto& w = k.werkprocessen[j];
      const std::string v = veld("Kwalificatie", i, veld("Werkproces", j, "Code"));
      if (!kw::werkproces_belongs(c, k.crebo, k.versie, w.code))
        m.push_back(fout("PL-ONBEKEND-WERKPROCES",
                         "werkproces " + w.code + " hoort niet bij kwalificatie " + k.crebo.str() + " versie " + k.versie, v));
      else if (!seen.insert(w.code).second)
        m.push_back(fout("PL-DUBBEL", "werkproces " + w.code + " staat er twee keer in", v));
    }
  }
  return m;
}

Meldingen check_periode(const Datum& begin, const Datum& eind) {
  Meldingen m;
  if (eind.str() < begin.str()) m.push_back(fout("PL-DATUMVOLGORDE", "Einddatum ligt voor Begindatum", "Einddatum"));
  return m;
}

}  // namespace

PraktijkloketBackend::PraktijkloketBackend(PraktijkloketSettings s)
    : settings_(std::move(s)), pool_(settings_.path, true, [this](sqlitedb::Connection& c) {
        c.exec("PRAGMA foreign_keys = ON");
        c.exec(kSchema);
        kw::create_kwalificatie_schema(c);
        c.attach_read_only(settings_.leerbedrijf_path, "lb");
      }) {
  if (!std::filesystem::exists(settings_.leerbedrijf_path))
    throw std::runtime_error("adapters.sqlite (praktijkloket): leerbedrijf_path " + settings_.leerbedrijf_path +
                             " does not exist (start the leerbedrijf service with the sqlite adapter first)");
  if (auto parent = std::filesystem::path(settings_.path).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent);
  auto& c = pool_.get();
  if (settings_.demo_data && !kw::loaded_kwalificatiestructuur(c)) {
    auto loaded = kw::load_demo_kwalificaties(c);
    if (!loaded) throw std::runtime_error("demo kwalificatiestructuur: " + loaded.error().message);
  }
}

Status PraktijkloketBackend::load_kwalificatiestructuur(std::string_view xml, std::string& summary) {
  auto r = kw::load_kwalificatiestructuur(pool_.get(), xml);
  if (!r) return r.error();
  summary = std::to_string(r->dossiers) + " dossiers, " + std::to_string(r->kwalificaties) + " kwalificaties, " +
            std::to_string(r->kerntaken) + " kerntaken, " + std::to_string(r->werkprocessen) + " werkprocessen";
  return ok_status();
}

// ---------------------------------------------------------------------------------------------
// Deelnemers

pl::Uitkomst<pl::Deelnemer> PraktijkloketBackend::voeg_deelnemer_toe(const Caller& who, const pl::Deelnemergegevens& g,
                                                                     bool doorzetten) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  if (auto m = check_deelnemer(g, "Deelnemer/"); !m.empty()) return refused<pl::Deelnemer>(std::move(m));
  if (auto dup = duplicate_of(c, who, g, std::nullopt); dup && !doorzetten) {
    auto u = refused<pl::Deelnemer>(fout("PL-DUBBELE-DEELNEMER",
                                         "er is al een deelnemer met deze naam en geboortedatum (DeelnemerID " +
                                             std::to_string(*dup) + "); zet Doorzetten om toch toe te voegen",
                                         "Deelnemer"));
    u.bestaande = *dup;
    return u;
  }
  pl::Deelnemer d{insert_deelnemer(c, who, g), g, false};
  tx.commit();
  return {d, {}, std::nullopt};
}

std::vector<pl::Itemresultaat> PraktijkloketBackend::voeg_deelnemers_toe(const Caller& who,
                                                                         const std::vector<pl::Deelnemergegevens>& items,
                                                                         bool doorzetten) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  std::vector<pl::Itemresultaat> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& g = items[i];
    pl::Itemresultaat r;
    r.volgnummer = static_cast<int>(i + 1);
    r.kenmerk = g.kenmerk;
    const std::string prefix = veld("Deelnemer", i, "");
    r.meldingen = check_deelnemer(g, prefix + "/");
    if (!r.meldingen.empty()) {
      r.status = "geweigerd";
    } else if (auto dup = duplicate_of(c, who, g, std::nullopt); dup && !doorzetten) {
      r.status = "dubbel";
      r.deelnemer = *dup;
      r.meldingen.push_back(fout("PL-DUBBELE-DEELNEMER",
                                 "er is al een deelnemer met deze naam en geboortedatum (DeelnemerID " +
                                     std::to_string(*dup) + ")",
                                 prefix));
    } else {
      // One savepoint per item: a failing item leaves nothing behind, the others stay.
      c.exec("SAVEPOINT item");
      try {
        r.deelnemer = insert_deelnemer(c, who, g);
        c.exec("RELEASE item");
        r.status = "toegevoegd";
      } catch (...) {
        c.exec("ROLLBACK TO item");
        c.exec("RELEASE item");
        throw;
      }
    }
    out.push_back(std::move(r));
  }
  tx.commit();
  return out;
}

pl::Uitkomst<pl::Deelnemer> PraktijkloketBackend::wijzig_deelnemer(const Caller& who, Id id, const pl::Deelnemergegevens& g) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  if (!find_deelnemer(c, who, id)) return refused<pl::Deelnemer>(onbekende_deelnemer());
  if (auto m = check_deelnemer(g, "Deelnemer/"); !m.empty()) return refused<pl::Deelnemer>(std::move(m));
  c.prepare(
       "UPDATE deelnemers SET voornaam = ?, tussenvoegsel = ?, achternaam = ?, geboortedatum = ?, email = ?, "
       "onderwijsvorm = ?, kenmerk = ?, gewijzigd = ? WHERE id = ? AND school_oin = ?")
      .bind(1, g.voornaam).bind(2, g.tussenvoegsel).bind(3, g.achternaam).bind(4, g.geboortedatum.str()).bind(5, g.email)
      .bind(6, g.onderwijsvorm).bind(7, g.kenmerk).bind(8, now_iso()).bind(9, id).bind(10, who.school.str())
      .run();
  auto d = find_deelnemer(c, who, id);
  tx.commit();
  return {d, {}, std::nullopt};
}

pl::Uitkomst<pl::Deelnemer> PraktijkloketBackend::archiveer_deelnemer(const Caller& who, Id id, bool archief) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto d = find_deelnemer(c, who, id);
  if (!d) return refused<pl::Deelnemer>(onbekende_deelnemer());
  if (d->archief == archief)
    return refused<pl::Deelnemer>(fout(archief ? "PL-AL-GEARCHIVEERD" : "PL-NIET-GEARCHIVEERD",
                                       archief ? "deelnemer staat al in het archief" : "deelnemer staat niet in het archief",
                                       "DeelnemerID"));
  c.prepare("UPDATE deelnemers SET archief = ?, gewijzigd = ? WHERE id = ?").bind(1, archief ? 1 : 0).bind(2, now_iso())
      .bind(3, id).run();
  d->archief = archief;
  tx.commit();
  return {d, {}, std::nullopt};
}

pl::Uitkomst<pl::Verwijderd> PraktijkloketBackend::verwijder_deelnemer(const Caller& who, Id id) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  if (!find_deelnemer(c, who, id)) return refused<pl::Verwijderd>(onbekende_deelnemer());
  pl::Verwijderd v;
  {
    auto st = c.prepare("SELECT count(*) FROM begeleidingsdocumenten WHERE deelnemer_id = ?");
    st.bind(1, id);
    st.step();
    v.begeleidingsdocumenten = static_cast<int>(st.integer(0));
  }
  {
    auto st = c.prepare("SELECT count(*) FROM praktijkverklaringen WHERE deelnemer_id = ?");
    st.bind(1, id);
    st.step();
    v.praktijkverklaringen = static_cast<int>(st.integer(0));
  }
  // Cascades to documents, their werkprocessen and the deelnemer's own praktijkopleiders.
  c.prepare("DELETE FROM deelnemers WHERE id = ? AND school_oin = ?").bind(1, id).bind(2, who.school.str()).run();
  tx.commit();
  return {v, {}, std::nullopt};
}

pl::Uitkomst<std::vector<pl::Deelnemer>> PraktijkloketBackend::zoek_deelnemers(const Caller& who, const std::string& voornaam,
                                                                               const std::string& achternaam, bool archief) {
  auto& c = pool_.get();
  auto st = c.prepare(
      "SELECT id, voornaam, tussenvoegsel, achternaam, geboortedatum, email, onderwijsvorm, kenmerk, archief "
      "FROM deelnemers WHERE school_oin = ? AND archief = ? AND instr(lower(voornaam), ?) > 0 "
      "AND instr(lower(achternaam), ?) > 0 ORDER BY achternaam, voornaam, id LIMIT 501");
  st.bind(1, who.school.str()).bind(2, archief ? 1 : 0).bind(3, lower(voornaam)).bind(4, lower(achternaam));
  std::vector<pl::Deelnemer> out;
  while (st.step()) out.push_back(read_deelnemer(st));
  pl::Uitkomst<std::vector<pl::Deelnemer>> u;
  if (out.size() > 500) {
    out.resize(500);
    u.meldingen.push_back(Melding{"PL-MEER-RESULTATEN", Ernst::informatie,
                                  "meer dan 500 deelnemers gevonden; verfijn de zoekvraag", ""});
  }
  u.waarde = std::move(out);
  return u;
}

// ---------------------------------------------------------------------------------------------
// Praktijkopleiders

pl::Uitkomst<std::vector<pl::Praktijkopleider>> PraktijkloketBackend::praktijkopleiders(const Caller& who,
                                                                                        const LeerbedrijfId& lb,
                                                                                        std::optional<Id> deelnemer) {
  auto& c = pool_.get();
  if (auto m = check_leerbedrijf(c, lb, "LeerbedrijfID")) return refused<std::vector<pl::Praktijkopleider>>(*m);
  if (deelnemer && !find_deelnemer(c, who, *deelnemer))
    return refused<std::vector<pl::Praktijkopleider>>(onbekende_deelnemer());
  std::vector<pl::Praktijkopleider> out;
  {
    auto st = c.prepare("SELECT id, naam, functie, email FROM lb.praktijkopleiders WHERE leerbedrijf_id = ? ORDER BY id");
    st.bind(1, lb.str());
    while (st.step()) out.push_back({st.text(0), lb, {st.text(1), st.text(2), st.text(3), ""}, std::nullopt});
  }
  if (deelnemer) {
    auto st = c.prepare(
        "SELECT id, naam, functie, email, telefoon FROM deelnemer_opleiders WHERE deelnemer_id = ? AND leerbedrijf_id = ? "
        "ORDER BY id");
    st.bind(1, *deelnemer).bind(2, lb.str());
    while (st.step())
      out.push_back({"D-" + std::to_string(st.integer(0)), lb, {st.text(1), st.text(2), st.text(3), st.text(4)}, *deelnemer});
  }
  return {out, {}, std::nullopt};
}

pl::Uitkomst<pl::Praktijkopleider> PraktijkloketBackend::voeg_praktijkopleider_toe(const Caller& who, Id deelnemer,
                                                                                   const LeerbedrijfId& lb,
                                                                                   const pl::Praktijkopleidergegevens& g) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  Meldingen m;
  if (!find_deelnemer(c, who, deelnemer)) m.push_back(onbekende_deelnemer());
  if (auto x = check_leerbedrijf(c, lb, "LeerbedrijfID")) m.push_back(*x);
  if (!m.empty()) return refused<pl::Praktijkopleider>(std::move(m));
  c.prepare(
       "INSERT INTO deelnemer_opleiders (deelnemer_id, leerbedrijf_id, naam, functie, email, telefoon, aangemaakt) "
       "VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, deelnemer).bind(2, lb.str()).bind(3, g.naam).bind(4, g.functie).bind(5, g.email).bind(6, g.telefoon)
      .bind(7, now_iso())
      .run();
  pl::Praktijkopleider p{"D-" + std::to_string(c.last_insert_id()), lb, g, deelnemer};
  tx.commit();
  return {p, {}, std::nullopt};
}

// ---------------------------------------------------------------------------------------------
// Begeleidingsdocumenten

namespace {

std::optional<pl::Begeleidingsdocument> find_document(sqlitedb::Connection& c, const pl::Caller& who, pl::Id id) {
  pl::Begeleidingsdocument d;
  {
    auto st = c.prepare(
        "SELECT id, deelnemer_id, leerbedrijf_id, praktijkopleider_id, begindatum, einddatum, afgerond, aangemaakt, "
        "afgerond_op FROM begeleidingsdocumenten WHERE id = ? AND school_oin = ?");
    st.bind(1, id).bind(2, who.school.str());
    if (!st.step()) return std::nullopt;
    d.id = st.integer(0);
    d.gegevens.deelnemer = st.integer(1);
    d.gegevens.leerbedrijf = *LeerbedrijfId::parse(st.text(2));
    d.gegevens.praktijkopleider = st.text(3);
    d.gegevens.begin = *Datum::parse(st.text(4));
    d.gegevens.eind = *Datum::parse(st.text(5));
    d.afgerond = st.integer(6) != 0;
    d.aangemaakt = st.text(7);
    d.afgerond_op = st.opt_text(8).value_or("");
  }
  auto st = c.prepare(
      "SELECT crebo, versie, code, toon_gedrag FROM bd_werkprocessen WHERE document_id = ? ORDER BY volgorde");
  st.bind(1, id);
  while (st.step()) {
    std::string crebo = st.text(0), versie = st.text(1);
    auto& ks = d.gegevens.kwalificaties;
    if (ks.empty() || ks.back().crebo.str() != crebo || ks.back().versie != versie)
      ks.push_back({*Crebo::parse(crebo), versie, {}});
    ks.back().werkprocessen.push_back({st.text(2), st.integer(3) != 0});
  }
  return d;
}

Melding onbekend_document() {
  return fout("PL-ONBEKEND-DOCUMENT", "begeleidingsdocument is niet bekend bij deze school", "DocumentID");
}

// Checks a document's data; resolves versions and snapshots the praktijkopleider.
Meldingen check_document(sqlitedb::Connection& c, const pl::Caller& who, pl::Begeleidingsdocumentgegevens& g,
                         Opleider& opleider) {
  Meldingen m;
  const std::string p = "Begeleidingsdocument/";
  auto d = find_deelnemer(c, who, g.deelnemer);
  if (!d) m.push_back(onbekende_deelnemer(p + "DeelnemerID"));
  else if (d->archief)
    m.push_back(fout("PL-GEARCHIVEERD", "deelnemer staat in het archief; herstel hem eerst", p + "DeelnemerID"));
  if (auto x = check_leerbedrijf(c, g.leerbedrijf, p + "LeerbedrijfID")) m.push_back(*x);
  else if (d) {
    auto o = find_opleider(c, g.praktijkopleider, g.leerbedrijf, g.deelnemer);
    if (!o)
      m.push_back(fout("PL-ONBEKENDE-PRAKTIJKOPLEIDER",
                       "praktijkopleider hoort niet bij dit leerbedrijf of deze deelnemer", p + "PraktijkopleiderID"));
    else opleider = *o;
  }
  for (auto& x : check_periode(g.begin, g.eind)) m.push_back(fout(x.code, x.tekst, p + x.veld));
  for (auto& x : resolve_kwalificaties(c, g.kwalificaties)) m.push_back(fout(x.code, x.tekst, p + x.veld));
  return m;
}

// The werkproces texts are copied into the document: a later catalogue (edugate refdata load)
// does not change what a document says.
std::optional<kw::Werkproces> werkproces_tekst(const std::optional<kw::KwalificatieDetail>& d, const std::string& code) {
  if (d)
    for (const auto& kt : d->kerntaken)
      for (const auto& w : kt.werkprocessen)
        if (w.code == code) return w;
  return std::nullopt;
}

std::string join_lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "\n") + x;
  return s;
}

void write_werkprocessen(sqlitedb::Connection& c, pl::Id id, const pl::Begeleidingsdocumentgegevens& g) {
  c.prepare("DELETE FROM bd_werkprocessen WHERE document_id = ?").bind(1, id).run();
  int n = 0;
  for (const auto& k : g.kwalificaties) {
    auto detail = kw::find_kwalificatie(c, k.crebo, k.versie, today_utc());
    for (const auto& w : k.werkprocessen) {
      auto t = werkproces_tekst(detail, w.code).value_or(kw::Werkproces{});
      c.prepare("INSERT INTO bd_werkprocessen (document_id, volgorde, crebo, versie, code, toon_gedrag, kwalificatie_naam, "
                "naam, omschrijving, gewenst_resultaat, gedrag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, id).bind(2, ++n).bind(3, k.crebo.str()).bind(4, k.versie).bind(5, w.code).bind(6, w.toon_gedrag ? 1 : 0)
          .bind(7, detail ? detail->kwalificatie.naam : std::string()).bind(8, t.naam).bind(9, t.omschrijving)
          .bind(10, t.gewenst_resultaat).bind(11, join_lines(t.gedrag))
          .run();
    }
  }
}

}  // namespace

pl::Uitkomst<pl::Begeleidingsdocument> PraktijkloketBackend::maak_begeleidingsdocument(
    const Caller& who, const pl::Begeleidingsdocumentgegevens& in) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto g = in;
  Opleider o;
  if (auto m = check_document(c, who, g, o); !m.empty()) return refused<pl::Begeleidingsdocument>(std::move(m));
  c.prepare(
       "INSERT INTO begeleidingsdocumenten (school_oin, deelnemer_id, leerbedrijf_id, praktijkopleider_id, po_naam, "
       "po_functie, po_email, begindatum, einddatum, aangemaakt, aangemaakt_door) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, who.school.str()).bind(2, g.deelnemer).bind(3, g.leerbedrijf.str()).bind(4, g.praktijkopleider)
      .bind(5, o.naam).bind(6, o.functie).bind(7, o.email).bind(8, g.begin.str()).bind(9, g.eind.str()).bind(10, now_iso())
      .bind(11, who.sender.str())
      .run();
  Id id = c.last_insert_id();
  write_werkprocessen(c, id, g);
  auto d = find_document(c, who, id);
  tx.commit();
  return {d, {}, std::nullopt};
}

pl::Uitkomst<pl::Begeleidingsdocument> PraktijkloketBackend::wijzig_begeleidingsdocument(
    const Caller& who, Id id, const pl::Begeleidingsdocumentgegevens& in) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto existing = find_document(c, who, id);
  if (!existing) return refused<pl::Begeleidingsdocument>(onbekend_document());
  if (existing->afgerond)
    return refused<pl::Begeleidingsdocument>(fout("PL-AFGEROND",
                                                  "begeleidingsdocument is afgerond en kan niet meer worden gewijzigd; "
                                                  "maak een nieuw document",
                                                  "DocumentID"));
  auto g = in;
  Opleider o;
  if (auto m = check_document(c, who, g, o); !m.empty()) return refused<pl::Begeleidingsdocument>(std::move(m));
  c.prepare(
       "UPDATE begeleidingsdocumenten SET deelnemer_id = ?, leerbedrijf_id = ?, praktijkopleider_id = ?, po_naam = ?, "
       "po_functie = ?, po_email = ?, begindatum = ?, einddatum = ? WHERE id = ? AND afgerond = 0")
      .bind(1, g.deelnemer).bind(2, g.leerbedrijf.str()).bind(3, g.praktijkopleider).bind(4, o.naam).bind(5, o.functie)
      .bind(6, o.email).bind(7, g.begin.str()).bind(8, g.eind.str()).bind(9, id)
      .run();
  write_werkprocessen(c, id, g);
  auto d = find_document(c, who, id);
  tx.commit();
  return {d, {}, std::nullopt};
}

pl::Uitkomst<pl::Begeleidingsdocument> PraktijkloketBackend::rond_begeleidingsdocument_af(const Caller& who, Id id) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto d = find_document(c, who, id);
  if (!d) return refused<pl::Begeleidingsdocument>(onbekend_document());
  if (d->afgerond)
    return refused<pl::Begeleidingsdocument>(fout("PL-AFGEROND", "begeleidingsdocument is al afgerond", "DocumentID"));
  c.prepare("UPDATE begeleidingsdocumenten SET afgerond = 1, afgerond_op = ? WHERE id = ?").bind(1, now_iso()).bind(2, id).run();
  d = find_document(c, who, id);
  tx.commit();
  return {d, {}, std::nullopt};
}

pl::Uitkomst<pl::Begeleidingsdocument> PraktijkloketBackend::begeleidingsdocument(const Caller& who, Id id) {
  auto d = find_document(pool_.get(), who, id);
  if (!d) return refused<pl::Begeleidingsdocument>(onbekend_document());
  return {d, {}, std::nullopt};
}

// ---------------------------------------------------------------------------------------------
// Praktijkverklaringen

namespace {

std::optional<std::pair<pl::Praktijkverklaring, std::string>> find_verklaring(sqlitedb::Connection& c, pl::Id id) {
  pl::Praktijkverklaring v;
  std::string school;
  {
    auto st = c.prepare(
        "SELECT id, school_oin, deelnemer_id, leerbedrijf_id, praktijkopleider_id, onderwijsvorm, begindatum, einddatum, "
        "bpv_uren, begeleidingsdocument_id, logo, branchelogos, definitief, aangemaakt, definitief_op "
        "FROM praktijkverklaringen WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    v.id = st.integer(0);
    school = st.text(1);
    auto& g = v.gegevens;
    g.deelnemer = st.integer(2);
    g.leerbedrijf = *LeerbedrijfId::parse(st.text(3));
    g.praktijkopleider = st.opt_text(4);
    g.onderwijsvorm = st.text(5);
    g.begin = *Datum::parse(st.text(6));
    g.eind = *Datum::parse(st.text(7));
    g.bpv_uren = static_cast<int>(st.integer(8));
    if (!st.is_null(9)) g.begeleidingsdocument = st.integer(9);
    if (!st.is_null(10)) g.logo_jpeg = st.text(10);
    std::string logos = st.text(11);
    for (std::size_t p = 0; !logos.empty() && p != std::string::npos;) {
      auto comma = logos.find(',', p);
      g.branchelogos.push_back(logos.substr(p, comma == std::string::npos ? std::string::npos : comma - p));
      p = comma == std::string::npos ? comma : comma + 1;
    }
    v.definitief = st.integer(12) != 0;
    v.aangemaakt = st.text(13);
    v.definitief_op = st.opt_text(14).value_or("");
  }
  auto st = c.prepare("SELECT crebo, versie, code FROM pv_werkprocessen WHERE verklaring_id = ? ORDER BY volgorde");
  st.bind(1, id);
  while (st.step()) v.gegevens.werkprocessen.push_back({*Crebo::parse(st.text(0)), st.text(1), st.text(2)});
  return std::make_pair(std::move(v), school);
}

Melding onbekende_verklaring() {
  return fout("PL-ONBEKENDE-VERKLARING", "praktijkverklaring is niet bekend bij deze school", "VerklaringID");
}

Meldingen check_verklaring(sqlitedb::Connection& c, const pl::Caller& who, pl::Praktijkverklaringgegevens& g,
                           std::string& po_naam) {
  Meldingen m;
  const std::string p = "Praktijkverklaring/";
  auto d = find_deelnemer(c, who, g.deelnemer);
  if (!d) m.push_back(onbekende_deelnemer(p + "DeelnemerID"));
  else if (d->archief)
    m.push_back(fout("PL-GEARCHIVEERD", "deelnemer staat in het archief; herstel hem eerst", p + "DeelnemerID"));
  if (auto x = check_leerbedrijf(c, g.leerbedrijf, p + "LeerbedrijfID")) m.push_back(*x);
  else if (d && g.praktijkopleider) {
    auto o = find_opleider(c, *g.praktijkopleider, g.leerbedrijf, g.deelnemer);
    if (!o)
      m.push_back(fout("PL-ONBEKENDE-PRAKTIJKOPLEIDER",
                       "praktijkopleider hoort niet bij dit leerbedrijf of deze deelnemer", p + "PraktijkopleiderID"));
    else po_naam = o->naam;
  }
  if (g.bpv_uren < pl::kMinBpvUren || g.bpv_uren > pl::kMaxBpvUren)
    m.push_back(fout("PL-BPV-UREN", "BpvUren moet een geheel getal van 10 tot en met 10000 zijn", p + "BpvUren"));
  for (auto& x : check_periode(g.begin, g.eind)) m.push_back(fout(x.code, x.tekst, p + x.veld));
  if (g.begeleidingsdocument && !g.werkprocessen.empty())
    m.push_back(fout("PL-WERKPROCESSEN", "geef BegeleidingsdocumentID of Werkproces, niet allebei", p + "Werkproces"));
  else if (!g.begeleidingsdocument && g.werkprocessen.empty())
    m.push_back(fout("VERPLICHT", "geef BegeleidingsdocumentID of ten minste één Werkproces", p + "Werkproces"));
  if (g.begeleidingsdocument) {
    auto doc = find_document(c, who, *g.begeleidingsdocument);
    if (!doc)
      m.push_back(fout("PL-ONBEKEND-DOCUMENT", "begeleidingsdocument is niet bekend bij deze school", p + "BegeleidingsdocumentID"));
    else if (doc->gegevens.deelnemer != g.deelnemer)
      m.push_back(fout("PL-ANDERE-DEELNEMER", "begeleidingsdocument hoort bij een andere deelnemer", p + "BegeleidingsdocumentID"));
    else
      for (const auto& k : doc->gegevens.kwalificaties)
        for (const auto& w : k.werkprocessen) g.werkprocessen.push_back({k.crebo, k.versie, w.code});
  } else {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < g.werkprocessen.size(); ++i) {
      auto& w = g.werkprocessen[i];
      const std::string v = p + veld("Werkproces", i, "");
      if (w.versie.empty()) {
        auto cur = current_version(c, w.crebo);
        if (!cur) {
          m.push_back(fout("PL-ONBEKENDE-KWALIFICATIE", "crebo " + w.crebo.str() + " is niet bekend", v + "Crebo"));
          continue;
        }
        w.versie = *cur;
      }
      if (!kw::werkproces_belongs(c, w.crebo, w.versie, w.code))
        m.push_back(fout("PL-ONBEKEND-WERKPROCES",
                         "werkproces " + w.code + " hoort niet bij kwalificatie " + w.crebo.str() + " versie " + w.versie,
                         v + "Code"));
      else if (!seen.insert(w.crebo.str() + "/" + w.versie + "/" + w.code).second)
        m.push_back(fout("PL-DUBBEL", "werkproces " + w.code + " staat er twee keer in", v + "Code"));
    }
  }
  std::set<std::string> known(std::begin(pl::kBranchelogos), std::end(pl::kBranchelogos));
  for (std::size_t i = 0; i < g.branchelogos.size(); ++i)
    if (!known.count(g.branchelogos[i]))
      m.push_back(fout("PL-BRANCHELOGO", "onbekend branchelogo '" + g.branchelogos[i] + "'", p + veld("Branchelogo", i, "")));
  return m;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

void write_verklaring_werkprocessen(sqlitedb::Connection& c, pl::Id id, const pl::Praktijkverklaringgegevens& g) {
  c.prepare("DELETE FROM pv_werkprocessen WHERE verklaring_id = ?").bind(1, id).run();
  int n = 0;
  std::map<std::pair<std::string, std::string>, std::optional<kw::KwalificatieDetail>> cache;
  for (const auto& w : g.werkprocessen) {
    auto key = std::make_pair(w.crebo.str(), w.versie);
    if (!cache.count(key)) cache[key] = kw::find_kwalificatie(c, w.crebo, w.versie, today_utc());
    const auto& detail = cache[key];
    c.prepare("INSERT INTO pv_werkprocessen (verklaring_id, volgorde, crebo, versie, code, kwalificatie_naam, naam) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, id).bind(2, ++n).bind(3, w.crebo.str()).bind(4, w.versie).bind(5, w.code)
        .bind(6, detail ? detail->kwalificatie.naam : std::string())
        .bind(7, werkproces_tekst(detail, w.code).value_or(kw::Werkproces{}).naam)
        .run();
  }
}

}  // namespace

pl::Uitkomst<pl::Praktijkverklaring> PraktijkloketBackend::maak_praktijkverklaring(const Caller& who,
                                                                                   const pl::Praktijkverklaringgegevens& in) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto g = in;
  std::string po_naam;
  if (auto m = check_verklaring(c, who, g, po_naam); !m.empty()) return refused<pl::Praktijkverklaring>(std::move(m));
  auto st = c.prepare(
      "INSERT INTO praktijkverklaringen (school_oin, deelnemer_id, leerbedrijf_id, praktijkopleider_id, po_naam, "
      "onderwijsvorm, begindatum, einddatum, bpv_uren, begeleidingsdocument_id, logo, branchelogos, aangemaakt, "
      "aangemaakt_door) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, who.school.str()).bind(2, g.deelnemer).bind(3, g.leerbedrijf.str()).bind(4, g.praktijkopleider)
      .bind(5, po_naam).bind(6, g.onderwijsvorm).bind(7, g.begin.str()).bind(8, g.eind.str()).bind(9, g.bpv_uren)
      .bind(10, g.begeleidingsdocument).bind(11, g.logo_jpeg).bind(12, join(g.branchelogos)).bind(13, now_iso())
      .bind(14, who.sender.str());
  st.run();
  Id id = c.last_insert_id();
  write_verklaring_werkprocessen(c, id, g);
  auto v = find_verklaring(c, id);
  tx.commit();
  return {v->first, {}, std::nullopt};
}

pl::Uitkomst<pl::Praktijkverklaring> PraktijkloketBackend::wijzig_praktijkverklaring(const Caller& who, Id id,
                                                                                     const pl::Praktijkverklaringgegevens& in) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto existing = find_verklaring(c, id);
  if (!existing || existing->second != who.school.str()) return refused<pl::Praktijkverklaring>(onbekende_verklaring());
  if (existing->first.definitief)
    return refused<pl::Praktijkverklaring>(
        fout("PL-DEFINITIEF", "praktijkverklaring is definitief en kan niet meer worden gewijzigd", "VerklaringID"));
  auto g = in;
  std::string po_naam;
  if (auto m = check_verklaring(c, who, g, po_naam); !m.empty()) return refused<pl::Praktijkverklaring>(std::move(m));
  c.prepare(
       "UPDATE praktijkverklaringen SET deelnemer_id = ?, leerbedrijf_id = ?, praktijkopleider_id = ?, po_naam = ?, "
       "onderwijsvorm = ?, begindatum = ?, einddatum = ?, bpv_uren = ?, begeleidingsdocument_id = ?, logo = ?, "
       "branchelogos = ? WHERE id = ? AND definitief = 0")
      .bind(1, g.deelnemer).bind(2, g.leerbedrijf.str()).bind(3, g.praktijkopleider).bind(4, po_naam)
      .bind(5, g.onderwijsvorm).bind(6, g.begin.str()).bind(7, g.eind.str()).bind(8, g.bpv_uren)
      .bind(9, g.begeleidingsdocument).bind(10, g.logo_jpeg).bind(11, join(g.branchelogos)).bind(12, id)
      .run();
  write_verklaring_werkprocessen(c, id, g);
  auto v = find_verklaring(c, id);
  tx.commit();
  return {v->first, {}, std::nullopt};
}

pl::Uitkomst<pl::Praktijkverklaring> PraktijkloketBackend::maak_definitief(const Caller& who, Id id) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto v = find_verklaring(c, id);
  if (!v || v->second != who.school.str()) return refused<pl::Praktijkverklaring>(onbekende_verklaring());
  if (v->first.definitief)
    return refused<pl::Praktijkverklaring>(fout("PL-DEFINITIEF", "praktijkverklaring is al definitief", "VerklaringID"));
  if (!erkend(c, v->first.gegevens.leerbedrijf))
    return refused<pl::Praktijkverklaring>(fout("PL-NIET-ERKEND",
                                                "een praktijkverklaring kan alleen definitief worden bij een erkend "
                                                "leerbedrijf; dit leerbedrijf heeft geen geldige erkenning",
                                                "LeerbedrijfID"));
  c.prepare("UPDATE praktijkverklaringen SET definitief = 1, definitief_op = ? WHERE id = ?").bind(1, now_iso()).bind(2, id).run();
  v = find_verklaring(c, id);
  tx.commit();
  return {v->first, {}, std::nullopt};
}

pl::Uitkomst<bool> PraktijkloketBackend::verwijder_praktijkverklaring(const Caller& who, Id id) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto v = find_verklaring(c, id);
  if (!v) return refused<bool>(onbekende_verklaring());
  if (v->second != who.school.str())
    return refused<bool>(fout("PL-NIET-EIGENAAR", "alleen de school die de praktijkverklaring maakte mag hem verwijderen",
                              "VerklaringID"));
  if (v->first.definitief)
    return refused<bool>(fout("PL-DEFINITIEF", "een definitieve praktijkverklaring kan niet worden verwijderd", "VerklaringID"));
  c.prepare("DELETE FROM praktijkverklaringen WHERE id = ?").bind(1, id).run();
  tx.commit();
  return {true, {}, std::nullopt};
}

pl::Uitkomst<pl::Praktijkverklaring> PraktijkloketBackend::praktijkverklaring(const Caller& who, Id id) {
  auto v = find_verklaring(pool_.get(), id);
  if (!v || v->second != who.school.str()) return refused<pl::Praktijkverklaring>(onbekende_verklaring());
  return {v->first, {}, std::nullopt};
}

// ---------------------------------------------------------------------------------------------
// PDF documents

namespace {

namespace pv = edugate::adapters::pdf;

pv::DeelnemerView deelnemer_view(const pl::Deelnemergegevens& g, const std::string& opleiding) {
  return {g.voornaam, g.tussenvoegsel, g.achternaam, g.geboortedatum.str(), opleiding};
}

pv::LeerbedrijfView leerbedrijf_view(sqlitedb::Connection& c, const LeerbedrijfId& id) {
  auto st = c.prepare("SELECT naam, plaats FROM lb.leerbedrijven WHERE id = ?");
  st.bind(1, id.str());
  if (!st.step()) return {"", id.str(), ""};
  return {st.text(0), id.str(), st.text(1)};
}

pv::SchoolView school_view(const pl::Caller& who) {
  auto brin = brin_of(who.school);
  return {who.school_naam, brin ? brin->str() : who.school.str()};
}

pl::Uitkomst<pl::Pdf> rendered(Result<std::string> r) {
  if (!r) return refused<pl::Pdf>(fout("PL-PDF", "PDF kan niet gemaakt worden: " + r.error().message, ""));
  return {pl::Pdf{std::move(*r)}, {}, std::nullopt};
}

}  // namespace

pl::Uitkomst<pl::Pdf> PraktijkloketBackend::begeleidingsdocument_pdf(const Caller& who, Id id) {
  auto& c = pool_.get();
  auto d = find_document(c, who, id);
  if (!d) return refused<pl::Pdf>(onbekend_document());
  auto deelnemer = find_deelnemer(c, who, d->gegevens.deelnemer);
  if (!deelnemer) return refused<pl::Pdf>(onbekende_deelnemer());
  pv::BegeleidingsdocumentView v;
  v.school = school_view(who);
  v.leerbedrijf = leerbedrijf_view(c, d->gegevens.leerbedrijf);
  {
    auto st = c.prepare("SELECT po_naam, po_functie, po_email FROM begeleidingsdocumenten WHERE id = ?");
    st.bind(1, id);
    if (st.step()) v.praktijkopleider = {st.text(0), st.text(1), st.text(2)};
  }
  {
    auto st = c.prepare(
        "SELECT crebo, versie, kwalificatie_naam, code, naam, omschrijving, gewenst_resultaat, toon_gedrag, gedrag "
        "FROM bd_werkprocessen WHERE document_id = ? ORDER BY volgorde");
    st.bind(1, id);
    while (st.step()) {
      auto& ks = v.kwalificaties;
      if (ks.empty() || ks.back().crebo != st.text(0) || ks.back().versie != st.text(1))
        ks.push_back({st.text(0), st.text(1), st.text(2), {}});
      pv::WerkprocesView wv{st.text(3), st.text(4), st.text(5), st.text(6), st.integer(7) != 0, {}};
      std::string gedrag = st.text(8);
      for (std::size_t p = 0; !gedrag.empty() && p != std::string::npos;) {
        auto nl = gedrag.find('\n', p);
        wv.gedrag.push_back(gedrag.substr(p, nl == std::string::npos ? std::string::npos : nl - p));
        p = nl == std::string::npos ? nl : nl + 1;
      }
      ks.back().werkprocessen.push_back(std::move(wv));
    }
  }
  v.deelnemer = deelnemer_view(deelnemer->gegevens, v.kwalificaties.empty() ? "" : v.kwalificaties.front().naam);
  v.periode_begin = d->gegevens.begin.str();
  v.periode_eind = d->gegevens.eind.str();
  v.is_concept = !d->afgerond;
  v.document_id = "BD-" + std::to_string(d->id);
  v.aanmaakdatum = d->aangemaakt.substr(0, 10);
  return rendered(pv::render_begeleidingsdocument(v));
}

pl::Uitkomst<pl::Pdf> PraktijkloketBackend::praktijkverklaring_pdf(const Caller& who, Id id) {
  auto& c = pool_.get();
  auto found = find_verklaring(c, id);
  if (!found || found->second != who.school.str()) return refused<pl::Pdf>(onbekende_verklaring());
  const auto& pvk = found->first;
  const auto& g = pvk.gegevens;
  auto deelnemer = find_deelnemer(c, who, g.deelnemer);
  if (!deelnemer) return refused<pl::Pdf>(onbekende_deelnemer());
  pv::PraktijkverklaringView v;
  v.school = school_view(who);
  v.leerbedrijf = leerbedrijf_view(c, g.leerbedrijf);
  {
    auto st = c.prepare("SELECT po_naam FROM praktijkverklaringen WHERE id = ?");
    st.bind(1, id);
    if (st.step()) v.praktijkopleider.naam = st.text(0);
  }
  std::string opleiding;
  {
    auto st = c.prepare(
        "SELECT code, naam, crebo, kwalificatie_naam FROM pv_werkprocessen WHERE verklaring_id = ? ORDER BY volgorde");
    st.bind(1, id);
    while (st.step()) {
      v.werkprocessen.push_back({st.text(0), st.text(1), st.text(2), st.text(3)});
      if (opleiding.empty()) opleiding = st.text(3);
    }
  }
  v.deelnemer = deelnemer_view(deelnemer->gegevens, opleiding);
  v.onderwijsvorm = g.onderwijsvorm;
  v.bpv_uren = g.bpv_uren;
  v.begin = g.begin.str();
  v.eind = g.eind.str();
  v.is_concept = !pvk.definitief;
  v.document_id = "PV-" + std::to_string(pvk.id);
  v.aanmaakdatum = pvk.aangemaakt.substr(0, 10);
  v.bedrijfslogo_jpeg = g.logo_jpeg.value_or("");
  v.branche_logos = g.branchelogos;
  return rendered(pv::render_praktijkverklaring(v));
}

// ---------------------------------------------------------------------------------------------
// Reference data

pl::Uitkomst<std::vector<pl::Kwalificatie>> PraktijkloketBackend::kwalificaties(const std::optional<Crebo>& crebo,
                                                                                bool alle_versies) {
  auto& c = pool_.get();
  std::vector<pl::Kwalificatie> out;
  for (const auto& k : kw::list_kwalificaties(c, crebo, alle_versies, today_utc()))
    out.push_back({k.crebo, k.versie, k.naam, k.dossier_naam, k.geldig_vanaf, k.geldig_tot, k.actueel});
  if (crebo && out.empty())
    return refused<std::vector<pl::Kwalificatie>>(
        fout("PL-ONBEKENDE-KWALIFICATIE", "crebo " + crebo->str() + " is niet bekend of niet meer geldig", "Crebo"));
  return {out, {}, std::nullopt};
}

pl::Uitkomst<std::pair<pl::Kwalificatie, std::vector<pl::Kerntaak>>> PraktijkloketBackend::werkprocessen(
    const Crebo& crebo, const std::string& versie) {
  using R = std::pair<pl::Kwalificatie, std::vector<pl::Kerntaak>>;
  auto d = kw::find_kwalificatie(pool_.get(), crebo, versie, today_utc());
  if (!d)
    return refused<R>(fout("PL-ONBEKENDE-KWALIFICATIE",
                           versie.empty() ? "crebo " + crebo.str() + " is niet bekend of niet meer geldig"
                                          : "kwalificatie " + crebo.str() + " versie " + versie + " bestaat niet",
                           versie.empty() ? "Crebo" : "Versie"));
  const auto& k = d->kwalificatie;
  R r;
  r.first = {k.crebo, k.versie, k.naam, k.dossier_naam, k.geldig_vanaf, k.geldig_tot, k.actueel};
  for (const auto& kt : d->kerntaken) {
    pl::Kerntaak t{kt.code, kt.naam, {}};
    for (const auto& w : kt.werkprocessen)
      t.werkprocessen.push_back({w.code, w.naam, w.omschrijving, w.gewenst_resultaat, w.gedrag});
    r.second.push_back(std::move(t));
  }
  return {r, {}, std::nullopt};
}

}  // namespace edugate::adapters::sqlite
