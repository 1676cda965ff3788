// `edugate config check FILE`: validates a configuration without starting.
#include <algorithm>
#include <iostream>

#include "adapters/registry.h"
#include "core/sink.h"
#include "gateway/inbound/chain.h"
#include "gateway/cli/common.h"

namespace edugate::gateway::cli {
namespace {

class ConfigCheck : public Command {
 public:
  explicit ConfigCheck(CLI::App& app) {
    auto* config_cmd = app.add_subcommand("config", "configuration tools");
    config_cmd->require_subcommand(1);
    check_ = config_cmd->add_subcommand("check", "validate a configuration file without starting");
    check_->add_option("file", config_file_, "configuration file")->required();
  }
  bool parsed() const override { return check_->parsed(); }
  int run() override {
    auto c = load_config(config_file_);
    namespace ad = adapters;
    for (const auto& [n, sc] : c.services) {
      load_contract(c.contract_dir, n);
      // The adapter must exist; its settings are checked when it starts (it may create files).
      auto names = n == "leerbedrijf"  ? ad::adapter_names<leerbedrijf::Backend>()
                   : n == "bpvmonitor" ? ad::adapter_names<bpvmonitor::Backend>()
                   : n == "praktijkloket" ? ad::adapter_names<praktijkloket::Backend>()
                                          : ad::adapter_names<consumer::Sink>();
      if (std::find(names.begin(), names.end(), sc.adapter) == names.end())
        throw ConfigError(config_file_ + ": services." + n + ".adapter: unknown adapter '" + sc.adapter + "'");
    }
    std::cout << config_file_ << ": ok\n";
    if (c.role == Role::provider || c.services.count("schoolontvangst"))
      std::cout << "inbound chain: " << describe_chain() << "\n";
    return 0;
  }

 private:
  CLI::App* check_;
  std::string config_file_;
};

}  // namespace

std::unique_ptr<Command> add_config_check(CLI::App& app) { return std::make_unique<ConfigCheck>(app); }

}  // namespace edugate::gateway::cli
