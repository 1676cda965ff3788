#pragma once
// The `bench` subcommand of the edugate binary: its options and what it runs.
#include <CLI/CLI.hpp>
#include <memory>

namespace edugate::bench {

class Command {
 public:
  virtual ~Command() = default;
  virtual bool parsed() const = 0;
  // Runs what the options ask for; returns the process exit code. Throws std::runtime_error
  // when the run cannot start.
  virtual int run() = 0;
};

std::unique_ptr<Command> add_command(CLI::App& app);

}  // namespace edugate::bench
