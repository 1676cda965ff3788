#pragma once
#include <cstdint>
#include <string>

#include "core/leerbedrijf.h"
#include "store/sqlite_db.h"

namespace edugate::adapters::sqlite {

struct LeerbedrijfSettings {
  std::string path;
  bool demo_data = false;
  std::uint64_t fixture_seed = 20261123;
};

// The Leerbedrijf backend on SQLite: SBB's registry of leerbedrijven, erkenningen,
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

  sqlitedb::Connection& connection() { return pool_.get(); }

 private:
  sqlitedb::Pool pool_;
};

// Creates the schema if missing (used by the backend and the fixture generator).
void create_schema(sqlitedb::Connection& c);

}  // namespace edugate::adapters::sqlite
