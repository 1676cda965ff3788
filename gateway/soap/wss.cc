#include "gateway/soap/wss.h"

#include <openssl/ssl.h>

#include <algorithm>

#include "security/tls_session.h"

namespace edugate::gateway {

X509ChainPtr peer_chain_of(SSL* ssl) {
  auto free_chain = [](STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); };
  STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl);
  // A resumed session brings no chain: the one of its full handshake travels in our ticket.
  if (sent == nullptr) return X509ChainPtr(security::resumed_peer_intermediates(ssl), free_chain);
  return X509ChainPtr(X509_chain_up_ref(sent), free_chain);
}

WsSecurity::WsSecurity(const Config& config, std::shared_ptr<security::TlsContexts> tls)
    : config_(config), tls_(std::move(tls)), policy_{config.wss_require_signed, config.wss_skew_seconds} {
  security::wssec::init();
}

bool WsSecurity::required(std::string_view service) const {
  std::lock_guard lock(policy_mu_);
  const auto& r = policy_.require_signed;
  return std::ranges::find(r, "all") != r.end() || std::ranges::find(r, service) != r.end();
}

void WsSecurity::set_policy(WssPolicy policy) {
  std::lock_guard lock(policy_mu_);
  policy_ = std::move(policy);
}

bool signature_required(const Config& config, std::string_view service) {
  const auto& r = config.wss_require_signed;
  return std::ranges::find(r, "all") != r.end() || std::ranges::find(r, service) != r.end();
}

Result<security::wssec::Verified> WsSecurity::verify(xmlDoc* doc, const Oin& peer, STACK_OF(X509)* peer_chain,
                                                     bool request) const {
  // Keep the context (and so its store with anchors and CRLs) alive while verifying. Chain
  // verdicts are kept only when the context is known to be of the generation they are kept under.
  const int generation = tls_->generation();
  security::SslContextPtr ctx = request ? tls_->server() : tls_->client();
  security::wssec::VerifyPolicy p;
  if (tls_->generation() == generation) {
    p.chains = &chains_;
    p.trust_generation = static_cast<std::uint64_t>(generation);
  }
  p.trust = SSL_CTX_get_cert_store(ctx->native_handle());
  p.untrusted = peer_chain;
  p.purpose = request ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER;
  p.expected_signer = peer;
  {
    std::lock_guard lock(policy_mu_);
    p.skew_seconds = policy_.skew_seconds;
  }
  p.allow_confirmation = !request;
  return security::wssec::verify(doc, p);
}

std::shared_ptr<const security::wssec::Signer> WsSecurity::signer() {
  std::lock_guard lock(mu_);
  int gen = tls_->generation();
  if (!signer_ || gen != generation_) {
    // The TLS reload already proved these files usable; a failure here keeps the old signer.
    try {
      const auto& t = config_.tls;
      signer_ = t.signing_certificate.empty()
                    ? std::make_shared<const security::wssec::Signer>(t.certificate, t.private_key)
                    : std::make_shared<const security::wssec::Signer>(t.signing_certificate, t.signing_private_key);
      generation_ = gen;
    } catch (const std::exception&) {
      if (!signer_) throw;
    }
  }
  return signer_;
}

Result<std::string> WsSecurity::sign(std::string_view envelope, const std::optional<std::string>& confirm,
                                     std::string* signature_value) {
  security::wssec::SignOptions o;
  o.confirm_signature = confirm;
  {
    std::lock_guard lock(policy_mu_);
    o.ttl_seconds = policy_.skew_seconds;
  }
  return signer()->sign(envelope, o, signature_value);
}

}  // namespace edugate::gateway
