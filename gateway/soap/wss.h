#pragma once
// WS-Security in the gateway: the signer and the verification policy built from the TLS material
// in force (so a certificate reload also changes what we sign with and what we trust), and the
// rule of when a signature is required (configuration per service, registry per party).
#include <libxml/tree.h>
#include <openssl/x509.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/result.h"
#include "gateway/ops/config.h"
#include "security/tls_reload.h"
#include "security/wssec.h"

namespace edugate::gateway {

using X509ChainPtr = std::shared_ptr<STACK_OF(X509)>;
// The certificates a TLS peer sent (intermediates), reference-counted; null when none.
X509ChainPtr peer_chain_of(SSL* ssl);

// Whether requests for this service (by contract name) must be signed by configuration.
bool signature_required(const Config& config, std::string_view service);

// The part of the WS-Security configuration a SIGHUP changes at once.
struct WssPolicy {
  std::vector<std::string> require_signed;  // service names, or "all"
  int skew_seconds = 300;
};

class WsSecurity {
 public:
  WsSecurity(const Config& config, std::shared_ptr<security::TlsContexts> tls);

  // Whether requests for this service must be signed (configuration; the registry adds parties).
  bool required(std::string_view service) const;
  void set_policy(WssPolicy policy);

  // A request to us (server side: clientAuth chain, no SignatureConfirmation) or an answer to
  // our request (client side: serverAuth chain, confirmations allowed).
  Result<security::wssec::Verified> verify(xmlDoc* doc, const Oin& peer, STACK_OF(X509)* peer_chain, bool request) const;

  // Signs a whole envelope with the own certificate in force.
  // signature_value: where to put the new SignatureValue (to match the answer's confirmation).
  Result<std::string> sign(std::string_view envelope, const std::optional<std::string>& confirm = std::nullopt,
                           std::string* signature_value = nullptr);

 private:
  std::shared_ptr<const security::wssec::Signer> signer();

  const Config& config_;
  std::shared_ptr<security::TlsContexts> tls_;
  mutable std::mutex policy_mu_;
  mutable security::wssec::ChainVerdicts chains_;  // signers' chains that verified (a minute each)
  WssPolicy policy_;
  std::mutex mu_;
  std::shared_ptr<const security::wssec::Signer> signer_;
  int generation_ = 0;
};

}  // namespace edugate::gateway
