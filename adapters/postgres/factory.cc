// adapters/postgres: the three SBB backends on PostgreSQL, for several gateway instances on one
// database. The business rules are those of adapters/db/ (one code path over store/sql.h);
// this folder only reads the settings. Robust to untrusted input as those are: typed, validated
// requests only; all SQL is parameterised.
//
// settings: dsn: "postgresql://user@host/db" (or dsn_env: NAME of an environment variable that
// holds it, so no secret is in the file), demo_data, fixture_seed, minimale_respons. All three
// services use the same database: schemas lb, bpv and pl (`edugate db migrate`).
#include "adapters/postgres/factory.h"

#include <cstdlib>
#include <set>
#include <stdexcept>

#include "adapters/registry.h"
#include "adapters/settings.h"
#include "adapters/db/bpvmonitor_backend.h"
#include "adapters/db/leerbedrijf_backend.h"
#include "adapters/db/praktijkloket_backend.h"

namespace edugate::adapters::postgres {
namespace {

class Settings : public AdapterSettings {
 public:
  Settings(const AdapterContext& ctx, std::set<std::string> known)
      : AdapterSettings(ctx, "postgres", with_dsn(std::move(known))) {}
  std::string dsn() const {
    auto d = node("dsn");
    auto e = node("dsn_env");
    if (d && e) fail("give 'dsn' or 'dsn_env', not both");
    if (d && d.IsScalar() && !d.as<std::string>().empty()) return d.as<std::string>();
    if (e && e.IsScalar()) {
      const char* v = std::getenv(e.as<std::string>().c_str());
      if (!v || !*v) fail("environment variable " + e.as<std::string>() + " (dsn_env) is not set");
      return v;
    }
    fail("key 'dsn' (a PostgreSQL connection string) or 'dsn_env' is required");
  }

 private:
  static std::set<std::string> with_dsn(std::set<std::string> known) {
    known.insert({"dsn", "dsn_env"});
    return known;
  }
};

}  // namespace

void register_factories() {
  namespace sq = adapters::db;
  register_adapter<leerbedrijf::Backend>("postgres", [](const AdapterContext& ctx) -> std::unique_ptr<leerbedrijf::Backend> {
    Settings s(ctx, {"demo_data", "fixture_seed"});
    sq::LeerbedrijfSettings b;
    b.dsn = s.dsn();
    b.demo_data = s.get("demo_data", false, "a boolean");
    b.fixture_seed = s.get<std::uint64_t>("fixture_seed", 20261123, "an integer");
    b.migrate = ctx.migrate;
    return std::make_unique<sq::LeerbedrijfBackend>(b);
  });
  register_adapter<bpvmonitor::Backend>("postgres", [](const AdapterContext& ctx) -> std::unique_ptr<bpvmonitor::Backend> {
    Settings s(ctx, {"demo_data", "fixture_seed", "minimale_respons"});
    sq::BpvMonitorSettings b;
    b.dsn = s.dsn();
    b.demo_data = s.get("demo_data", false, "a boolean");
    b.fixture_seed = s.get<std::uint64_t>("fixture_seed", 20261123, "an integer");
    b.minimale_respons = s.get("minimale_respons", 10, "an integer");
    b.migrate = ctx.migrate;
    if (b.minimale_respons < 1) throw std::runtime_error("adapters.postgres: key 'minimale_respons' must be >= 1");
    return std::make_unique<sq::BpvMonitorBackend>(b);
  });
  register_adapter<praktijkloket::Backend>("postgres", [](const AdapterContext& ctx) -> std::unique_ptr<praktijkloket::Backend> {
    Settings s(ctx, {"demo_data"});
    sq::PraktijkloketSettings b;
    b.dsn = s.dsn();
    b.demo_data = s.get("demo_data", false, "a boolean");
    b.migrate = ctx.migrate;
    return std::make_unique<sq::PraktijkloketBackend>(b);
  });
}

}  // namespace edugate::adapters::postgres
