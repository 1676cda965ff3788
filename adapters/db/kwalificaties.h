#pragma once
// The kwalificatiestructuur as reference data: SBB's catalogue (kwalificatiedossier →
// kwalificatie per crebo and versie → kerntaken → werkprocessen with omschrijving, gewenst
// resultaat and gedrag), read from an XML file in the shape of SBB's public export
// (docs/REFDATA.md) and kept in SQLite tables of its own (prefix kwal_, so no clash with the
// Leerbedrijf database's `kwalificaties(crebo, naam)`).
//
// Robust to untrusted input: the file passes the XML guard (no DTD, no entities, no network, size
// and depth caps) and is validated completely before anything is written; a refused file changes
// nothing. Errors name the element and its line.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/result.h"
#include "store/sql.h"

namespace edugate::adapters::db::kwalificaties {

inline constexpr const char* kNamespace = "urn:edugate:kwalificatiestructuur:1";
inline constexpr std::size_t kMaxBestand = 16u << 20;  // bytes of one kwalificatiestructuur file

struct LoadSummary {
  std::string versie, peildatum;  // of the file (root attributes)
  int dossiers = 0;
  int kwalificaties = 0;  // versions: one crebo in two versions counts twice
  int kerntaken = 0;
  int werkprocessen = 0;
};

struct Werkproces {
  std::string code, naam, omschrijving, gewenst_resultaat;
  std::vector<std::string> gedrag;  // in file order
};

struct Kerntaak {
  std::string code, naam;
  std::vector<Werkproces> werkprocessen;  // in file order
};

// One version of a kwalificatie.
struct KwalificatieVersie {
  Crebo crebo;
  std::string versie, naam;
  std::string dossier, dossier_naam;  // the kwalificatiedossier's code and naam
  std::string geldig_vanaf;           // YYYY-MM-DD
  std::string geldig_tot;             // YYYY-MM-DD, empty: open-ended
  bool geldig = false;                // the peildatum lies within [geldig_vanaf, geldig_tot]
  bool actueel = false;               // the current version of its crebo on the peildatum
};

struct KwalificatieDetail {
  KwalificatieVersie kwalificatie;
  std::vector<Kerntaak> kerntaken;  // in file order
};

// Creates the kwal_ tables if missing (SQLite). The query functions below need them: call this
// when a connection is opened (sql::Pool's on_open). PostgreSQL: kPostgresV1, a migration of the
// Praktijkloket's schema.
void create_kwalificatie_schema(sql::Connection& c);
extern const char* const kPostgresV1;

// Validates `xml` completely, then replaces all kwal_ tables in one transaction. Error code
// "KWALIFICATIESTRUCTUUR"; the message names the element and line, Error::field the element.
// Call outside a transaction. BackendUnavailable if the database fails.
Result<LoadSummary> load_kwalificatiestructuur(sql::Connection& c, std::string_view xml);

// The demo catalogue embedded at build time (adapters/db/refdata/kwalificatiestructuur-demo.xml).
std::string_view demo_kwalificatiestructuur_xml();
Result<LoadSummary> load_demo_kwalificaties(sql::Connection& c);

// What is loaded now (counts from the tables), or none if nothing was ever loaded.
std::optional<LoadSummary> loaded_kwalificatiestructuur(sql::Connection& c);

// Kwalificaties sorted by crebo, then newest version first. With `crebo`, only that crebo; without
// `alle_versies`, only the actuele version of each crebo (a crebo with none on the peildatum is left
// out).
std::vector<KwalificatieVersie> list_kwalificaties(sql::Connection& c, const std::optional<Crebo>& crebo,
                                                   bool alle_versies, const Datum& peildatum);

// The current version of a crebo on the peildatum: of the versions valid that day, the one that
// became valid last. None when no version is valid (unknown, expired, or only future versions).
std::optional<KwalificatieVersie> actuele_versie(sql::Connection& c, const Crebo& crebo, const Datum& peildatum);

// One version with its kerntaken and werkprocessen (earlier versions stay available); an empty
// `versie` means the actuele version on the peildatum.
std::optional<KwalificatieDetail> find_kwalificatie(sql::Connection& c, const Crebo& crebo,
                                                    std::string_view versie, const Datum& peildatum);

// Whether werkproces `code` is part of this version of the kwalificatie.
bool werkproces_belongs(sql::Connection& c, const Crebo& crebo, std::string_view versie, std::string_view code);

}  // namespace edugate::adapters::db::kwalificaties
