#pragma once
// The edugate command line: every subcommand of the gateway, and `run`, which parses and runs
// one. app/main.cc wires in the subcommands that live outside gateway/ (the bench).
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace edugate::gateway::cli {

// One subcommand: its options are bound at construction (add_*), `run` does what they ask.
class Command {
 public:
  virtual ~Command() = default;
  virtual bool parsed() const = 0;
  // Returns the process exit code; throws (ConfigError: exit 78, other: exit 1) when it cannot run.
  virtual int run() = 0;
  // serve speaks JSON lines only, also when it cannot start.
  virtual bool logs_json() const { return false; }
};

using AddCommand = std::function<std::unique_ptr<Command>(CLI::App&)>;

// Parses argv and runs the subcommand given. `extra` are added after the gateway's own
// subcommands and before `probe` (the order of `edugate --help`).
int run(int argc, char** argv, const std::vector<AddCommand>& extra = {});

}  // namespace edugate::gateway::cli
