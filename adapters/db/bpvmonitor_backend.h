#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/db/keyed_writes.h"
#include "core/bpvmonitor.h"
#include "store/sql.h"

namespace edugate::adapters::db {

struct BpvMonitorSettings {
  std::string path;             // the BPV Monitor database
  std::string leerbedrijf_path; // SBB's leerbedrijven (the Leerbedrijf adapter's database), read-only
  bool demo_data = false;       // fill an empty database with generated survey responses
  std::uint64_t fixture_seed = 20261123;
  int minimale_respons = 10;    // cells with fewer responses are suppressed
  std::string dsn = {};  // PostgreSQL (adapter postgres): schema bpv; SBB's leerbedrijven in schema lb
  bool migrate = false;         // PostgreSQL: apply missing schema migrations at start
};

// PostgreSQL: schema bpv, versioned.
const std::vector<sql::Migration>& bpvmonitor_migrations();

class BpvMonitorBackend final : public bpvmonitor::Backend {
 public:
  explicit BpvMonitorBackend(BpvMonitorSettings settings);

  std::vector<bpvmonitor::Recordresultaat> lever_aan(const Oin& school,
                                                     const std::vector<bpvmonitor::Studentgegeven>& records) override;
  bpvmonitor::Recordresultaat corrigeer(const Oin& school, const bpvmonitor::Studentgegeven& record) override;
  bpvmonitor::Recordresultaat trek_in(const Oin& school, const std::string& bpvo_kenmerk) override;
  bpvmonitor::Resultaten resultaten(const Brin& brin, const bpvmonitor::Resultatenfilter& filter) override;
  bpvmonitor::Responsrecords responsrecords(const Brin& brin, const std::optional<Periode>& periode, int pagina,
                                            int pagina_grootte) override;

  Result<KeyedAnswer> keyed(const WriteKey& key, std::string_view operation, const Write& write) override {
    return keyed_write(pool_, key, operation, write);
  }
  sql::Connection& connection() { return pool_.get(); }

 private:
  // Business rules of one record; empty when it may be stored. Fills the invitation date.
  Meldingen check(sql::Connection& c, const Oin& school, const bpvmonitor::Studentgegeven& r,
                  std::optional<Datum>& uitnodiging);
  // check(), then store the record and mark it accepted when no rule refused it.
  void check_and_store(sql::Connection& c, const Oin& school, const bpvmonitor::Studentgegeven& r,
                       bpvmonitor::Recordresultaat& res);
  BpvMonitorSettings settings_;
  sql::Pool pool_;
};

// Generated, pseudonymous survey responses for the demo and the tests (no names, no e-mail).
int fill_bpvmonitor_fixtures(sql::Connection& c, std::uint64_t seed);

}  // namespace edugate::adapters::db
