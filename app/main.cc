// The edugate executable: the gateway's command line with the bench's subcommand wired in
// (the bench uses the gateway, so the gateway cannot name it). The sanitizer tree is built
// without the bench (EDUGATE_BENCH=OFF): its gateway has no `bench` subcommand.
#include "gateway/cli/cli.h"
#include "gateway/ops/log.h"
#ifdef EDUGATE_WITH_BENCH
#include "bench/cli.h"
#endif

namespace {

namespace cli = edugate::gateway::cli;

#ifdef EDUGATE_WITH_BENCH
class Bench : public cli::Command {
 public:
  explicit Bench(CLI::App& app) : bench_(edugate::bench::add_command(app)) {}
  bool parsed() const override { return bench_->parsed(); }
  int run() override {
    edugate::gateway::jlog::setup("warn");
    return bench_->run();
  }

 private:
  std::unique_ptr<edugate::bench::Command> bench_;
};

#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef EDUGATE_WITH_BENCH
  return cli::run(argc, argv, {[](CLI::App& app) -> std::unique_ptr<cli::Command> { return std::make_unique<Bench>(app); }});
#else
  return cli::run(argc, argv, {});
#endif
}
