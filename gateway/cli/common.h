#pragma once
// What several subcommands share: reading a file, opening the store, making the services, an
// OIN given as digits or as a certificate. Internal to gateway/cli/.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/ids.h"
#include "gateway/cli/cli.h"
#include "gateway/ops/config.h"
#include "gateway/services/registry.h"
#include "gateway/soap/contract.h"
#include "store/sql_store.h"

namespace edugate::gateway::cli {

void setup_logging(const std::string& level, int batch_ms = 0);

std::string read_file(const std::string& path);

// migrate: apply missing PostgreSQL schema migrations (`db migrate`, or store.migrate: auto).
std::unique_ptr<store::SqlStore> open_store(const Config& c, bool migrate = false);

// The backends and services this configuration asks for. The Leerbedrijf backend is made
// first: the BPV Monitor backend reads its leerbedrijven.
struct Services : Backends {
  std::vector<std::unique_ptr<Service>> list;
  std::vector<ServiceContract> contracts;  // also of services we only call (outbox, inbox)
};
Services make_services(const Config& c, bool migrate = false);

// An OIN given as digits, or the OIN of a certificate file (when `cert` is not empty), of the
// OIN-stelsel's form unless `held` (gateway::oin_of); the error names `option` (or --cert).
Oin oin_or_cert(const std::string& oin, const std::string& cert, const std::string& option = "--oin",
                const std::function<bool(const Oin&)>& held = nullptr);

std::unique_ptr<Command> add_serve(CLI::App& app);
std::unique_ptr<Command> add_send(CLI::App& app);
std::unique_ptr<Command> add_onboard(CLI::App& app);
std::unique_ptr<Command> add_config_check(CLI::App& app);
std::unique_ptr<Command> add_certs(CLI::App& app);
std::unique_ptr<Command> add_refdata(CLI::App& app);
std::unique_ptr<Command> add_publish_results(CLI::App& app);
std::unique_ptr<Command> add_db(CLI::App& app);
std::unique_ptr<Command> add_outbox(CLI::App& app);
std::unique_ptr<Command> add_probe(CLI::App& app);

}  // namespace edugate::gateway::cli
