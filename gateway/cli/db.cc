// `edugate db migrate`: applies missing schema migrations of the store and the backends.
#include <nlohmann/json.hpp>

#include <iostream>

#include "gateway/cli/common.h"
#include "store/sql.h"

namespace edugate::gateway::cli {
namespace {

using json = nlohmann::ordered_json;

class DbMigrate : public Command {
 public:
  explicit DbMigrate(CLI::App& app) {
    auto* db_cmd = app.add_subcommand("db", "the databases of the store and the backends");
    db_cmd->add_option("--config,-c", config_file_, "configuration file")->required();
    db_cmd->require_subcommand(1);
    db_cmd->fallthrough();
    migrate_ = db_cmd->add_subcommand(
        "migrate", "apply missing schema migrations (PostgreSQL store and postgres backends; SQLite makes its schema on open)");
  }
  bool parsed() const override { return migrate_->parsed(); }
  int run() override {
    auto c = load_config(config_file_);
    setup_logging("warn");
    // Opening with migrate applies what is missing, under an advisory lock (idempotent; several
    // instances may run it at once). The Leerbedrijf backend goes first: the others read schema lb.
    auto store = open_store(c, true);
    auto services = make_services(c, true);
    json out{{"store", {{"kind", c.store_kind}}}};
    if (c.store_kind == "postgres") {
      auto conn = sql::open({sql::Dialect::postgres, "", true, c.store_dsn, "", 0});
      for (const char* schema : {store::kPostgresSchema, "lb", "bpv", "pl"})
        if (int v = sql::schema_version(*conn, schema); v > 0) out["schemas"][schema] = v;
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
  }

 private:
  CLI::App* migrate_;
  std::string config_file_;
};

}  // namespace

std::unique_ptr<Command> add_db(CLI::App& app) { return std::make_unique<DbMigrate>(app); }

}  // namespace edugate::gateway::cli
