#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/db/keyed_writes.h"
#include "core/leerbedrijf.h"
#include "store/sql.h"

namespace edugate::adapters::db {

struct LeerbedrijfSettings {
  std::string path;  // SQLite file (adapter sqlite)
  bool demo_data = false;
  std::uint64_t fixture_seed = 20261123;
  std::string dsn = {};  // PostgreSQL (adapter postgres): tables in schema lb
  bool migrate = false;  // PostgreSQL: apply missing schema migrations at start
};

// The Leerbedrijf backend on SQLite or PostgreSQL: SBB's registry of leerbedrijven, erkenningen,
// praktijkopleiders, leerplaatsen, the mutation log and received voordrachten.
class LeerbedrijfBackend final : public leerbedrijf::Backend {
 public:
  explicit LeerbedrijfBackend(LeerbedrijfSettings settings);

  leerbedrijf::IdentificeerAntwoord identificeer(const leerbedrijf::IdentificeerVerzoek&) override;
  leerbedrijf::VerifieerAntwoord verifieer(const leerbedrijf::VerifieerVerzoek&) override;
  leerbedrijf::DetailsAntwoord details(const LeerbedrijfId&) override;
  leerbedrijf::ZoekAntwoord zoek(const leerbedrijf::ZoekVerzoek&) override;
  leerbedrijf::VoordrachtAntwoord voordragen(const leerbedrijf::VoordrachtVerzoek&) override;
  leerbedrijf::MutatiesAntwoord mutaties(const leerbedrijf::MutatiesVerzoek&) override;

  Result<KeyedAnswer> keyed(const WriteKey& key, std::string_view operation, const Write& write) override {
    return keyed_write(pool_, key, operation, write);
  }
  sql::Connection& connection() { return pool_.get(); }

 private:
  sql::Pool pool_;
};

// Creates the schema if missing (SQLite; used by the backend and the fixture generator).
void create_schema(sql::Connection& c);
// PostgreSQL: schema lb, versioned.
const std::vector<sql::Migration>& leerbedrijf_migrations();

}  // namespace edugate::adapters::db
