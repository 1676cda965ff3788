// `edugate outbox list|show|retry`: the pushes to schools.
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

#include "gateway/cli/common.h"
#include "core/clock.h"

namespace edugate::gateway::cli {
namespace {

using json = nlohmann::ordered_json;

json to_json(const store::OutboxMessage& m, bool body) {
  json j{{"id", m.id}, {"destination_oin", m.destination_oin}, {"endpoint", m.endpoint}, {"service", m.service},
         {"operation", m.operation}, {"message_id", m.message_id}, {"state", m.state}, {"attempts", m.attempts},
         {"created_ms", m.created_ms}, {"next_attempt_ms", m.next_attempt_ms}, {"sent_ms", m.sent_ms},
         {"last_error", m.last_error}};
  if (body) j["body"] = m.body;
  return j;
}

class Outbox : public Command {
 public:
  explicit Outbox(CLI::App& app) {
    cmd_ = app.add_subcommand("outbox", "inspect and retry pushes to schools");
    cmd_->add_option("--config,-c", config_file_, "configuration file")->required();
    cmd_->require_subcommand(1);
    list_ = cmd_->add_subcommand("list", "list messages (newest last)");
    list_->add_option("--state", state_, "pending | sent | dead");
    list_->add_option("--limit", limit_, "at most this many");
    show_ = cmd_->add_subcommand("show", "show one message, with its body");
    show_->add_option("id", id_, "outbox id")->required();
    auto* retry = cmd_->add_subcommand("retry", "send a dead message again (fresh retry budget)");
    retry->add_option("id", id_, "outbox id")->required();
  }
  bool parsed() const override { return cmd_->parsed(); }
  int run() override {
    auto c = load_config(config_file_);
    auto store = open_store(c);
    if (list_->parsed()) {
      json out = json::array();
      for (const auto& m : store->outbox_list(state_, limit_)) out.push_back(to_json(m, false));
      std::cout << out.dump(2) << std::endl;
      return 0;
    }
    auto m = store->outbox_get(id_);
    if (!m) throw std::runtime_error("no outbox message " + std::to_string(id_));
    if (show_->parsed()) {
      std::cout << to_json(*m, true).dump(2) << std::endl;
      return 0;
    }
    auto now = edugate::now_ms();
    if (!store->outbox_retry(id_, now)) throw std::runtime_error("message " + std::to_string(id_) + " was already sent");
    std::cout << "message " << id_ << " will be sent again\n";
    return 0;
  }

 private:
  CLI::App *cmd_, *list_, *show_;
  std::string config_file_, state_;
  std::int64_t id_ = 0;
  int limit_ = 100;
};

}  // namespace

std::unique_ptr<Command> add_outbox(CLI::App& app) { return std::make_unique<Outbox>(app); }

}  // namespace edugate::gateway::cli
