// `edugate config check FILE`: validates a configuration without starting.
#include <algorithm>
#include <iostream>

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
    for (const auto& [n, sc] : c.services) {
      load_contract(c.contract_dir, n);
      // The adapter must exist; its settings are checked when it starts (it may create files).
      auto names = find_service(n)->adapter_names();  // the configuration knows only registered names
      if (std::find(names.begin(), names.end(), sc.adapter) == names.end())
        throw ConfigError(config_file_ + ": services." + n + ".adapter: unknown adapter '" + sc.adapter + "'");
    }
    std::cout << config_file_ << ": ok\n";
    // The chain runs where this gateway serves a service: always at a provider; at a consumer
    // when it takes pushes.
    bool serves = c.role == Role::provider ||
                  std::any_of(c.services.begin(), c.services.end(), [](const auto& kv) {
                    return find_service(kv.first)->role == Role::consumer;
                  });
    if (serves)
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
