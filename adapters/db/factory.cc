// adapters/db: the embedded default backends and the consumer's table sink. Robust to
// untrusted input: they receive typed, validated requests only; all SQL is parameterised.
#include "adapters/db/factory.h"

#include <set>
#include <stdexcept>

#include "adapters/registry.h"
#include "adapters/settings.h"
#include "adapters/db/bpvmonitor_backend.h"
#include "adapters/db/leerbedrijf_backend.h"
#include "adapters/db/praktijkloket_backend.h"
#include "adapters/db/sink.h"

namespace edugate::adapters::db {
namespace {

class Settings : public AdapterSettings {
 public:
  Settings(const AdapterContext& ctx, const std::set<std::string>& known) : AdapterSettings(ctx, "sqlite", known) {}
  std::string path(const char* key, bool required = true) const {
    auto n = node(key);
    if (!n || !n.IsScalar()) {
      if (required) fail(std::string("key '") + key + "' (a file path) is required");
      return {};
    }
    return resolve(context().base_dir, n.as<std::string>());
  }
};

}  // namespace

void register_factories() {
  register_adapter<leerbedrijf::Backend>("sqlite", [](const AdapterContext& ctx) -> std::unique_ptr<leerbedrijf::Backend> {
    Settings s(ctx, {"path", "demo_data", "fixture_seed"});
    return std::make_unique<LeerbedrijfBackend>(LeerbedrijfSettings{
        s.path("path"), s.get("demo_data", false, "a boolean"), s.get<std::uint64_t>("fixture_seed", 20261123, "an integer")});
  });
  register_adapter<bpvmonitor::Backend>("sqlite", [](const AdapterContext& ctx) -> std::unique_ptr<bpvmonitor::Backend> {
    Settings s(ctx, {"path", "leerbedrijf_path", "demo_data", "fixture_seed", "minimale_respons"});
    BpvMonitorSettings b{s.path("path"), s.path("leerbedrijf_path"), s.get("demo_data", false, "a boolean"),
                         s.get<std::uint64_t>("fixture_seed", 20261123, "an integer"),
                         s.get("minimale_respons", 10, "an integer")};
    if (b.minimale_respons < 1) throw std::runtime_error("adapters.sqlite: key 'minimale_respons' must be >= 1");
    return std::make_unique<BpvMonitorBackend>(b);
  });
  register_adapter<praktijkloket::Backend>("sqlite", [](const AdapterContext& ctx) -> std::unique_ptr<praktijkloket::Backend> {
    Settings s(ctx, {"path", "leerbedrijf_path", "demo_data"});
    return std::make_unique<PraktijkloketBackend>(
        PraktijkloketSettings{s.path("path"), s.path("leerbedrijf_path"), s.get("demo_data", false, "a boolean")});
  });
  register_adapter<consumer::Sink>("sqlite", [](const AdapterContext& ctx) -> std::unique_ptr<consumer::Sink> {
    Settings s(ctx, {"path"});
    return std::make_unique<TableSink>(s.path("path"));
  });
}

}  // namespace edugate::adapters::db
