// edugate: one binary, provider or consumer by configuration.
#include "gateway/cli/cli.h"

#include <iostream>
#include <string_view>

#include "adapters/registry.h"
#include "gateway/cli/common.h"
#include "gateway/ops/log.h"
#include "security/xml_guard.h"

namespace edugate::gateway::cli {

int run(int argc, char** argv, const std::vector<AddCommand>& extra) {
  CLI::App app{"edugate: Edukoppeling gateway (provider at SBB, consumer at a school or SIS vendor)"};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<Command>> commands;
  for (auto add : {add_serve, add_send, add_onboard, add_config_check, add_certs, add_refdata, add_publish_results,
                   add_db, add_outbox})
    commands.push_back(add(app));
  for (const auto& add : extra) commands.push_back(add(app));
  auto probe = add_probe(app);
  const Command* probe_command = probe.get();
  commands.push_back(std::move(probe));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    const bool probing = probe_command->parsed() || (argc > 1 && std::string_view(argv[1]) == "probe");
    return probing && rc != 0 ? 2 : rc;  // probe: 2 is a usage error
  }
  const Command* chosen = nullptr;
  for (const auto& c : commands)
    if (c->parsed()) chosen = c.get();
  const bool logs_json = chosen && chosen->logs_json();
  try {
    security::init_xml();
    adapters::register_builtin();
    for (const auto& c : commands)
      if (c->parsed()) return c->run();
  } catch (const ConfigError& e) {
    if (logs_json) {
      jlog::setup("info");
      jlog::error("start_failed", {{"error", std::string("configuration error: ") + e.what()}, {"exit_code", 78}});
    } else {
      std::cerr << "configuration error: " << e.what() << std::endl;
    }
    return 78;  // EX_CONFIG
  } catch (const std::exception& e) {
    if (logs_json) {
      jlog::setup("info");
      jlog::error("start_failed", {{"error", e.what()}, {"exit_code", 1}});
    } else {
      std::cerr << "edugate: " << e.what() << std::endl;
    }
    return 1;
  }
  return 0;
}

}  // namespace edugate::gateway::cli
