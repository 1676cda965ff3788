#include "gateway/cli/common.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "gateway/cli/probe.h"
#include "gateway/ops/log.h"
#include "gateway/ops/registry_file.h"
#include "gateway/services/registry.h"

namespace edugate::gateway::cli {

void setup_logging(const std::string& level, int batch_ms) { jlog::setup(level, batch_ms); }

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
  Services out;
  auto enabled = [&](std::string_view name) {
    auto it = c.services.find(std::string(name));
    return it != c.services.end() && it->second.enabled;
  };
  for (const auto& s : service_registry()) out.contracts.push_back(load_contract(c.contract_dir, std::string(s.name)));
  for (const auto& s : service_registry()) {
    if (!enabled(s.name)) continue;
    if (s.role != c.role)
      throw ConfigError(c.file + ": services." + std::string(s.name) + ": only for role " +
                        (s.role == Role::provider ? "provider" : "consumer"));
  }
  for (const auto& s : service_registry()) {
    if (!enabled(s.name)) continue;
    const auto& sc = c.services.at(std::string(s.name));
    adapters::AdapterContext ctx{sc.settings, c.base_dir, migrate || c.store_migrate_auto};
    out.list.push_back(s.make(load_contract(c.contract_dir, std::string(s.name)), sc.adapter, ctx, out));
  }
  return out;
}

Oin oin_or_cert(const std::string& oin, const std::string& cert, const std::string& option,
                const std::function<bool(const Oin&)>& held) {
  auto o = oin_of(oin, cert, held);
  if (!o) throw std::runtime_error((cert.empty() ? option : std::string("--cert")) + ": " + o.error().message);
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
