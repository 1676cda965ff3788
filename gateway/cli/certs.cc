// `edugate certs inspect FILE`: a certificate's OIN, CRL distribution points, chain and expiry.
#include <nlohmann/json.hpp>

#include <iostream>

#include "gateway/cli/common.h"
#include "security/pki.h"

namespace edugate::gateway::cli {
namespace {

using json = nlohmann::ordered_json;

class CertsInspect : public Command {
 public:
  explicit CertsInspect(CLI::App& app) {
    auto* certs = app.add_subcommand("certs", "certificate tools");
    certs->require_subcommand(1);
    inspect_ = certs->add_subcommand(
        "inspect", "show the OIN, CRL distribution points, chain, expiry and revocation status of a certificate");
    inspect_->add_option("file", cert_, "certificate (PEM; further certificates in the file are its intermediates)")->required();
    inspect_->add_option("--config,-c", config_file_, "check the chain and revocation against this configuration's trust anchors and CRLs");
  }
  bool parsed() const override { return inspect_->parsed(); }
  int run() override {
    auto id = security::identity_of_file(cert_);
    json out;
    if (id) {
      out = {{"oin", id->oin.str()}, {"subject", id->subject}, {"serial", id->serial_hex}, {"not_after", id->not_after}};
    } else {
      out = {{"error", id.error().message}};
    }
    out["crl_distribution_points"] = security::crl_distribution_points_of_file(cert_);
    bool valid = true;
    if (!config_file_.empty()) {
      auto c = load_config(config_file_);
      auto check = security::verify_chain_file(cert_, c.tls);
      valid = check.valid;
      out["chain_valid"] = check.valid;
      if (!check.valid) out["reason"] = check.reason;
      out["chain"] = check.chain;
      json crls = json::array();
      for (const auto& crl : security::crl_info(security::crl_files(c.tls)))
        crls.push_back({{"issuer", crl.issuer}, {"next_update", crl.next_update}, {"file", crl.file}});
      out["crls"] = crls;
    }
    std::cout << out.dump(2) << std::endl;
    return id && valid ? 0 : 1;
  }

 private:
  CLI::App* inspect_;
  std::string cert_, config_file_;
};

}  // namespace

std::unique_ptr<Command> add_certs(CLI::App& app) { return std::make_unique<CertsInspect>(app); }

}  // namespace edugate::gateway::cli
