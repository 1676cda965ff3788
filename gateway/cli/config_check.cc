// `edugate config check FILE`: validates a configuration without starting.
#include <algorithm>
#include <iostream>

#include "core/clock.h"
#include "gateway/cli/common.h"
#include "gateway/inbound/chain.h"
#include "security/pki.h"
#include "security/revocation.h"
#include "security/tls_policy.h"

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
    // A signing certificate of its own must load, match its key and carry our OIN: the peer
    // checks that the signer is the TLS identity.
    if (!c.tls.signing_certificate.empty()) {
      try {
        security::check_signing_material(c.tls);
      } catch (const std::runtime_error& e) {
        throw ConfigError(config_file_ + ": wssecurity: " + e.what());
      }
      auto id = security::identity_of_file(c.tls.signing_certificate);
      if (!id || !(id->oin == c.oin))
        throw ConfigError(
            config_file_ + ": wssecurity.certificate: " +
            (id ? "carries OIN " + id->oin.str() + ", not this gateway's oin " + c.oin.str() : id.error().message));
    }
    // Every CA of the configured chains needs a CRL in force or a distribution point to fetch it
    // from: without one, every certificate it issued is refused in the handshake.
    if (c.tls.check_revocation) {
      std::vector<security::CaRevocation> cas;
      try {
        cas = security::ca_revocation(c.tls, c.crl_fetch.enabled ? &c.crl_fetch : nullptr);
      } catch (const std::runtime_error& e) {
        throw ConfigError(config_file_ + ": tls: " + e.what());
      }
      auto problems = security::revocation_problems(cas, now_s(), /*require_in_force=*/false);
      if (!problems.empty()) {
        std::string text = config_file_ + ": tls: revocation data missing:";
        for (const auto& p : problems) text += "\n  " + p;
        throw ConfigError(text);
      }
      std::cout << config_file_ << ": ok\n";
      for (const auto& ca : cas)
        std::cout << "  CA " << ca.subject << ": "
                  << (ca.in_force(now_s()) ? "CRL in force (" + ca.crl_file + ")" : "CRL fetched at start") << "\n";
    } else {
      std::cout << config_file_ << ": ok\n";
    }
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
