// `edugate publish-results --period P`: a BPV Monitor period's results into the outbox.
#include <iostream>

#include "gateway/cli/common.h"
#include "gateway/outbound/publish.h"

namespace edugate::gateway::cli {
namespace {

class PublishResults : public Command {
 public:
  explicit PublishResults(CLI::App& app) {
    cmd_ = app.add_subcommand("publish-results", "put a BPV Monitor period's results in the outbox for every school");
    cmd_->add_option("--config,-c", config_file_, "configuration file")->required();
    cmd_->add_option("--period", periode_text_, "period, e.g. 2026-K3")->required();
  }
  bool parsed() const override { return cmd_->parsed(); }
  int run() override {
    auto c = load_config(config_file_);
    setup_logging("warn");
    auto p = Periode::parse(periode_text_);
    if (!p) throw std::runtime_error("--period: " + p.error().message);
    auto store = open_store(c);
    auto services = make_services(c);
    if (!services.bpvmonitor) throw std::runtime_error("services.bpvmonitor is not enabled in " + config_file_);
    int n = publish_results(c, *store, *services.bpvmonitor, *p);
    std::cout << n << " message(s) with the results of " << p->str() << " in the outbox\n";
    return 0;
  }

 private:
  CLI::App* cmd_;
  std::string config_file_, periode_text_;
};

}  // namespace

std::unique_ptr<Command> add_publish_results(CLI::App& app) { return std::make_unique<PublishResults>(app); }

}  // namespace edugate::gateway::cli
