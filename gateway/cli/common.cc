#include "gateway/cli/common.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "adapters/registry.h"
#include "core/sink.h"
#include "gateway/cli/probe.h"
#include "gateway/ops/log.h"
#include "gateway/ops/registry_file.h"
#include "gateway/services/bpvmonitor_service.h"
#include "gateway/services/leerbedrijf_service.h"
#include "gateway/services/praktijkloket_service.h"
#include "gateway/services/schoolontvangst_service.h"

namespace edugate::gateway::cli {

void setup_logging(const std::string& level) { jlog::setup(level); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<store::SqlStore> open_store(const Config& c, bool migrate) {
  if (c.store_kind == "postgres") {
    sql::Target t;
    t.dialect = sql::Dialect::postgres;
    t.dsn = c.store_dsn;
    t.schema = store::kPostgresSchema;
    return std::make_unique<store::SqlStore>(t, migrate || c.store_migrate_auto);
  }
  std::filesystem::create_directories(std::filesystem::path(c.store_path).parent_path());
  return std::make_unique<store::SqliteStore>(c.store_path);
}

Services make_services(const Config& c, bool migrate) {
  namespace ad = adapters;
  Services out;
  auto settings = [&](const std::string& name) {
    const auto& sc = c.services.at(name);
    return std::pair{sc.adapter, ad::AdapterContext{sc.settings, c.base_dir, migrate || c.store_migrate_auto}};
  };
  auto enabled = [&](const char* name) { return c.services.count(name) && c.services.at(name).enabled; };
  auto contract = [&](const char* name) { return load_contract(c.contract_dir, name); };
  for (const char* name : {"leerbedrijf", "bpvmonitor", "schoolontvangst", "praktijkloket"})
    out.contracts.push_back(contract(name));
  if (c.role == Role::provider) {
    if (enabled("schoolontvangst")) throw ConfigError(c.file + ": services.schoolontvangst: only for role consumer");
    if (enabled("leerbedrijf")) {
      auto [adapter, ctx] = settings("leerbedrijf");
      out.leerbedrijf = ad::make_adapter<leerbedrijf::Backend>(adapter, ctx);
      out.list.push_back(make_leerbedrijf_service(contract("leerbedrijf"), out.leerbedrijf));
    }
    if (enabled("bpvmonitor")) {
      auto [adapter, ctx] = settings("bpvmonitor");
      out.bpvmonitor = ad::make_adapter<bpvmonitor::Backend>(adapter, ctx);
      out.list.push_back(make_bpvmonitor_service(contract("bpvmonitor"), out.bpvmonitor));
    }
    if (enabled("praktijkloket")) {
      auto [adapter, ctx] = settings("praktijkloket");
      out.praktijkloket = ad::make_adapter<praktijkloket::Backend>(adapter, ctx);
      out.list.push_back(make_praktijkloket_service(contract("praktijkloket"), out.praktijkloket));
    }
  } else {
    for (const char* other : {"leerbedrijf", "bpvmonitor", "praktijkloket"})
      if (enabled(other)) throw ConfigError(c.file + ": services." + other + ": only for role provider");
    if (enabled("schoolontvangst")) {
      auto [adapter, ctx] = settings("schoolontvangst");
      out.list.push_back(make_schoolontvangst_service(contract("schoolontvangst"),
                                                      ad::make_adapter<consumer::Sink>(adapter, ctx)));
    }
  }
  return out;
}

Oin oin_or_cert(const std::string& oin, const std::string& cert) {
  auto o = oin_of(oin, cert);
  if (!o) throw std::runtime_error((cert.empty() ? "OIN " : "") + o.error().message);
  return *o;
}

namespace {
class ProbeCommand : public Command {
 public:
  explicit ProbeCommand(CLI::App& app) : probe_(probe::add_command(app)) {}
  bool parsed() const override { return probe_->parsed(); }
  int run() override { return probe_->run(); }

 private:
  std::unique_ptr<probe::Command> probe_;
};
}  // namespace

std::unique_ptr<Command> add_probe(CLI::App& app) { return std::make_unique<ProbeCommand>(app); }

}  // namespace edugate::gateway::cli
