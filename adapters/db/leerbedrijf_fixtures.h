#pragma once
// Deterministic, invented fixture data for the demo and the tests: a few hundred leerbedrijven
// with erkenningen (some withdrawn, some expired), praktijkopleiders, leerplaatsen and a
// mutation log with name changes and a merger. No real persons or companies.
#include <cstdint>

#include "store/sql.h"

namespace edugate::adapters::db {

namespace fixtures {
// Well-known facts the tests and the quickstart rely on, whatever the seed.
inline constexpr const char* kErkendId = "100000001";        // erkend for kErkendCrebo, BOL and BBL, since 2015
inline constexpr const char* kErkendCrebo = "25180";
inline constexpr const char* kNaam = "Installatiebedrijf Van der Berg";  // name of kErkendId
inline constexpr const char* kPlaats = "Enschede";                      // its plaats
inline constexpr const char* kKvk = "30123456";                         // its KvK-nummer
inline constexpr const char* kVestiging = "000012345678";               // its vestigingsnummer
inline constexpr const char* kIngetrokkenId = "100000002";   // erkenning for kIngetrokkenCrebo BOL withdrawn 30 days ago
inline constexpr const char* kIngetrokkenCrebo = "25180";
inline constexpr const char* kVerlopenId = "100000003";      // erkenning for kVerlopenCrebo BOL ended 2023-07-31
inline constexpr const char* kVerlopenCrebo = "25180";
inline constexpr const char* kSamengevoegdOudId = "100000004";  // merged into kSamengevoegdNieuwId
inline constexpr const char* kSamengevoegdNieuwId = "100000001";
inline constexpr int kGenerated = 300;                          // leerbedrijven beyond the well-known ones
}  // namespace fixtures

// Fills an empty database. Returns the number of leerbedrijven written (0 if it was not empty).
int fill_fixtures(sql::Connection& c, std::uint64_t seed);

}  // namespace edugate::adapters::db
