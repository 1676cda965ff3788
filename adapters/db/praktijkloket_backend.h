#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/db/keyed_writes.h"
#include "core/praktijkloket.h"
#include "store/sql.h"

namespace edugate::adapters::db {

struct PraktijkloketSettings {
  std::string path;              // the Praktijkloket database (deelnemers, documents, reference data)
  std::string leerbedrijf_path;  // SBB's leerbedrijven (the Leerbedrijf adapter's database), read-only
  bool demo_data = false;        // load the demo kwalificatiestructuur into an empty database
  std::string dsn = {};  // PostgreSQL (adapter postgres): schema pl; SBB's leerbedrijven in schema lb
  bool migrate = false;          // PostgreSQL: apply missing schema migrations at start
};

// PostgreSQL: schema pl (with the kwalificatiestructuur), versioned.
const std::vector<sql::Migration>& praktijkloket_migrations();

class PraktijkloketBackend final : public praktijkloket::Backend {
 public:
  explicit PraktijkloketBackend(PraktijkloketSettings settings);

  using Caller = praktijkloket::Caller;
  using Id = praktijkloket::Id;
  template <class T>
  using Uitkomst = praktijkloket::Uitkomst<T>;

  Uitkomst<praktijkloket::Deelnemer> voeg_deelnemer_toe(const Caller&, const praktijkloket::Deelnemergegevens&,
                                                        bool doorzetten) override;
  std::vector<praktijkloket::Itemresultaat> voeg_deelnemers_toe(const Caller&,
                                                                const std::vector<praktijkloket::Deelnemergegevens>&,
                                                                bool doorzetten) override;
  Uitkomst<praktijkloket::Deelnemer> wijzig_deelnemer(const Caller&, Id, const praktijkloket::Deelnemergegevens&) override;
  Uitkomst<praktijkloket::Deelnemer> archiveer_deelnemer(const Caller&, Id, bool archief) override;
  Uitkomst<praktijkloket::Verwijderd> verwijder_deelnemer(const Caller&, Id) override;
  Uitkomst<std::vector<praktijkloket::Deelnemer>> zoek_deelnemers(const Caller&, const std::string& voornaam,
                                                                  const std::string& achternaam, bool archief) override;

  Uitkomst<std::vector<praktijkloket::Praktijkopleider>> praktijkopleiders(const Caller&, const LeerbedrijfId&,
                                                                           std::optional<Id> deelnemer) override;
  Uitkomst<praktijkloket::Praktijkopleider> voeg_praktijkopleider_toe(const Caller&, Id deelnemer, const LeerbedrijfId&,
                                                                      const praktijkloket::Praktijkopleidergegevens&) override;

  Uitkomst<praktijkloket::Begeleidingsdocument> maak_begeleidingsdocument(
      const Caller&, const praktijkloket::Begeleidingsdocumentgegevens&) override;
  Uitkomst<praktijkloket::Begeleidingsdocument> wijzig_begeleidingsdocument(
      const Caller&, Id, const praktijkloket::Begeleidingsdocumentgegevens&) override;
  Uitkomst<praktijkloket::Begeleidingsdocument> rond_begeleidingsdocument_af(const Caller&, Id) override;
  Uitkomst<praktijkloket::Begeleidingsdocument> begeleidingsdocument(const Caller&, Id) override;
  Uitkomst<praktijkloket::Pdf> begeleidingsdocument_pdf(const Caller&, Id) override;

  Uitkomst<praktijkloket::Praktijkverklaring> maak_praktijkverklaring(const Caller&,
                                                                      const praktijkloket::Praktijkverklaringgegevens&) override;
  Uitkomst<praktijkloket::Praktijkverklaring> wijzig_praktijkverklaring(
      const Caller&, Id, const praktijkloket::Praktijkverklaringgegevens&) override;
  Uitkomst<praktijkloket::Praktijkverklaring> maak_definitief(const Caller&, Id) override;
  Uitkomst<bool> verwijder_praktijkverklaring(const Caller&, Id) override;
  Uitkomst<praktijkloket::Praktijkverklaring> praktijkverklaring(const Caller&, Id) override;
  Uitkomst<praktijkloket::Pdf> praktijkverklaring_pdf(const Caller&, Id) override;

  Uitkomst<std::vector<praktijkloket::Kwalificatie>> kwalificaties(const std::optional<Crebo>&, bool alle_versies) override;
  Uitkomst<std::pair<praktijkloket::Kwalificatie, std::vector<praktijkloket::Kerntaak>>> werkprocessen(
      const Crebo&, const std::string& versie) override;

  Status load_kwalificatiestructuur(std::string_view xml, std::string& summary) override;

  Result<KeyedAnswer> keyed(const WriteKey& key, std::string_view operation, const Write& write) override {
    return keyed_write(pool_, key, operation, write);
  }
  sql::Connection& connection() { return pool_.get(); }

 private:
  PraktijkloketSettings settings_;
  sql::Pool pool_;
};

}  // namespace edugate::adapters::db
