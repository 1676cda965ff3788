#pragma once
// The services edugate knows, each registered once (registry.cc): its name (the configuration
// key under services:, the contract's file stem in wsdl/, the registry's agreement name), the
// role that serves it, whether the JSON bridge offers it, and how it is made from its adapter.
// The configuration, `config check`, the OpenAPI document, the bridge and the CLI read this list;
// adding a service is its files in gateway/services/ plus one line in registry.cc (DESIGN.md,
// "Adding a service").
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/registry.h"
#include "core/bpvmonitor.h"
#include "core/leerbedrijf.h"
#include "core/praktijkloket.h"
#include "gateway/ops/config.h"
#include "gateway/services/service.h"

namespace edugate::gateway {

// The typed backends that subcommands besides serve use (publish-results, refdata, the
// consumer's relay); a new service need not add one.
struct Backends {
  std::shared_ptr<leerbedrijf::Backend> leerbedrijf;
  std::shared_ptr<bpvmonitor::Backend> bpvmonitor;
  std::shared_ptr<praktijkloket::Backend> praktijkloket;
};

struct ServiceEntry {
  std::string_view name;
  Role role;     // who serves it: provider (SBB) or consumer (a school's gateway)
  bool bridged;  // offered over the JSON bridge and in its OpenAPI document
  // Makes the service over the adapter the configuration names; may keep its backend in `out`.
  std::unique_ptr<Service> (*make)(ServiceContract contract, const std::string& adapter,
                                   const adapters::AdapterContext& ctx, Backends& out);
  std::vector<std::string> (*adapter_names)();  // the adapters that can back it
  // Agreements besides its name that the registry may hold for it: a part of the service a
  // party is let into on its own, or a push to subscribe to. Each is "<name>-<what>".
  std::span<const char* const> more_agreements;
};

// In order: a service's backend may read one made before it (the BPV Monitor backend reads the
// Leerbedrijf backend's leerbedrijven).
std::span<const ServiceEntry> service_registry();
const ServiceEntry* find_service(std::string_view name);
std::vector<std::string> service_names();
// The names joined for a message: "a, b, c of d" (Dutch, for the bridge's answers) or "a, b, c, d".
std::string service_list(bool bridged_only, std::string_view last_separator = ", ");

// The services an agreement or mandate in the registry may name: each service the provider
// serves, followed by its more_agreements (`bpvmonitor-studentgegevens`, `leerbedrijf-mutaties`).
// A consumer's receiver admits SBB by configuration, so consumer services take no agreement.
std::vector<std::string> agreement_names();
bool is_agreement_name(std::string_view name);
// agreement_names() joined by ", ", for help texts and errors.
std::string agreement_list();

}  // namespace edugate::gateway
