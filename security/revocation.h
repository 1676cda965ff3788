#pragma once
// Which certificate authorities have revocation data in force. The handshake checks a CRL for
// every CA in a peer's chain and fails closed (edukoppeling.md §3), so a configured CA without a
// CRL in force means every certificate it issued is refused, whoever presents it. The CAs of the
// configured chains are known before any peer connects: the trust anchors, the CAs in our own
// certificate file and the configured intermediates (crl_fetch.intermediates). `edugate config
// check` refuses a configuration where one of them has neither a CRL in force nor a distribution
// point to fetch it from; /readyz is not ready while one has no CRL in force; both name the CA.
// (A peer's issuing CA that is not configured is only known in its handshake: that refusal logs
// the CA, see crl_failure_of.)
#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "security/crl_fetch.h"
#include "security/tls_policy.h"

namespace edugate::security {

struct CaRevocation {
  std::string subject;                  // the CA's subject, one line (as in the logs)
  std::int64_t next_update = 0;         // of the newest CRL held for it (signed by it); 0: none
  std::string crl_file;                 // where that CRL was read
  std::vector<std::string> fetch_urls;  // distribution points named for its CRL (fetching on)
  bool any_configured_url = false;      // crl_fetch.urls may serve it (their issuer is known only once fetched)

  bool in_force(std::int64_t now) const { return next_update > now; }
  bool fetchable() const { return !fetch_urls.empty() || any_configured_url; }
};

// Every CA of the configured chains, in order: trust anchors, our own chain, the configured
// intermediates (each once). fetch: the crl_fetch settings when fetching is on, else nullptr.
// Throws std::runtime_error naming a certificate file that cannot be read.
std::vector<CaRevocation> ca_revocation(const TlsSettings& tls, const CrlFetchSettings* fetch);

// What is wrong with the CAs' revocation data at `now`, one line per CA, empty when nothing:
// "no CRL for CA '<subject>'" or "the CRL of CA '<subject>' is past its nextUpdate (<date>)".
// require_in_force: a CA that can only be fetched counts as a problem too (a running gateway has
// fetched by then); without it (config check, before the first fetch) a fetch source suffices.
std::vector<std::string> revocation_problems(const std::vector<CaRevocation>& cas, std::int64_t now,
                                             bool require_in_force);

// The CA whose CRL a failed handshake could not use, and why ("no CRL", "CRL past its
// nextUpdate", ...), recorded by the verify callback that install_crl_failure_recorder sets on a
// context. Empty subject when the handshake failed for another reason.
struct CrlFailure {
  std::string ca_subject;
  std::string reason;
};
void install_crl_failure_recorder(SSL_CTX* ctx);
CrlFailure crl_failure_of(const SSL* ssl);

class OcspResponses;
class LearnedDistributionPoints;

// What is done with a peer's chain around OpenSSL's verification (chain, purpose, CRLs): its CRL
// distribution points go to `learned` (CRL fetching follows them) when the chain reached a trust
// anchor, also when it was refused for a missing or stale CRL (that is when a CA's CRL is needed);
// then, after a chain that verified, the leaf's status is asked by OCSP as the policy says. The
// query blocks the handshake once per peer and cache period, for at most ocsp.timeout_ms.
struct PeerRevocation {
  std::shared_ptr<OcspResponses> ocsp;                 // null: peers are not asked about by OCSP
  std::shared_ptr<LearnedDistributionPoints> learned;  // null: distribution points are not followed
};
void install_peer_revocation(SSL_CTX* ctx, PeerRevocation checks);
// Why OCSP refused a handshake ("ocsp: revoked (keyCompromise)", "ocsp: unknown", "ocsp: no
// answer (<why>)"); empty when it did not.
std::string ocsp_refusal_of(const SSL* ssl);

}  // namespace edugate::security
