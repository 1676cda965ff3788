#pragma once
// OCSP (RFC 6960): our own certificate's status stapled into the handshake (RFC 6066
// status_request), and peers' certificates checked with the responder named in their AIA, besides
// the CRLs (edukoppeling.md §3 asks for CRLs; OCSP learns of a revocation before the next CRL).
//
// Network input: a responder's answer is read with a deadline and a size limit, parsed by
// OpenSSL, and used only when it is signed by the certificate's CA or by a responder that CA
// authorised (OCSPSigning), chaining to a trust anchor; it must name the certificate asked
// about, carry our nonce when it carries one, and be current (thisUpdate not in the future,
// nextUpdate not passed, 5 minutes of clock skew).
#include <openssl/ocsp.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "security/x509_files.h"

namespace edugate::security {

// What a peer's certificate needs from OCSP. off: not asked; prefer: asked when its certificate
// names a responder, a "revoked" answer refuses it, "unknown" or no answer leaves the CRLs'
// verdict; require: only a "good" answer lets it in (fail closed, also without a responder).
enum class OcspPolicy { off, prefer, require };

struct OcspSettings {
  OcspPolicy peers = OcspPolicy::prefer;
  bool staple = true;               // staple our own certificate's status when its AIA names a responder
  std::string responder_url;        // labs: every request goes here instead of the AIA's responder
  int timeout_ms = 2000;            // one query: connect, request and the whole answer
  int failure_retry_s = 60;         // a query that failed is not repeated for this long
  int max_cache_s = 3600;           // an answer is kept until its nextUpdate, at most this long
  std::size_t max_cache_entries = 10000;
  std::size_t max_response_bytes = 64 * 1024;
};

// The OCSP responder URLs in a certificate's Authority Information Access, in order.
std::vector<std::string> ocsp_urls(X509* cert);

struct OcspAnswer {
  enum class Status { good, revoked, unknown, no_answer };
  Status status = Status::no_answer;
  std::string reason;             // no_answer: why; revoked: the CRL reason, when given
  std::string url;                // asked
  std::int64_t this_update = 0;   // unix seconds
  std::int64_t next_update = 0;   // 0: the responder gave none
  std::string der;                // the verified response, as received (for stapling)
};
const char* status_name(OcspAnswer::Status s);

// One query about `cert` (issued by `issuer`): one POST to the responder under the settings'
// deadline and size limit, the answer verified as above against `store` (untrusted: more
// certificates for the responder's chain). Blocks for at most timeout_ms.
OcspAnswer query_ocsp(X509* cert, X509* issuer, STACK_OF(X509)* untrusted, X509_STORE* store, const OcspSettings& s);

// Peers' answers, by certificate id (issuer name and key hash, serial), until their nextUpdate
// (at most max_cache_s); a failed query is remembered for failure_retry_s, so a responder that
// is down costs one timeout per peer and period, not one per handshake. Thread-safe.
class OcspResponses {
 public:
  explicit OcspResponses(OcspSettings s) : settings_(std::move(s)) {}
  const OcspSettings& settings() const { return settings_; }
  // The answer for the leaf of a verified chain (leaf, its issuer, ..., the trust anchor): from
  // the cache, or one query (which blocks, see query_ocsp) whose answer must chain to that
  // anchor. (Not the handshake's own store: its purpose, clientAuth or serverAuth, would be
  // asked of the responder's certificate too.)
  OcspAnswer status_of(STACK_OF(X509)* verified_chain);
  std::uint64_t queries() const { return queries_.load(); }

 private:
  struct Entry {
    OcspAnswer answer;
    std::chrono::steady_clock::time_point until;
  };
  OcspSettings settings_;
  std::mutex mu_;
  std::map<std::string, Entry> cache_;  // key: DER of the OCSP CertID
  std::atomic<std::uint64_t> queries_{0};
};

// Our own certificate's stapled response. refresh() runs in the background (never on the
// handshake path): it fetches a new response when the one held is past half its life, and the
// status callback staples what is held, for the certificate being served, while it is current.
class OcspStaple {
 public:
  OcspStaple(std::string certificate_file, std::string trust_anchors, OcspSettings s);

  struct Refresh {
    bool attempted = false;          // false: no responder for our certificate, or the one held is fresh
    OcspAnswer answer;               // when attempted
    std::chrono::seconds next{3600};  // when to call again
  };
  Refresh refresh();
  // DER of the response to staple for `cert`; empty when none is held for it or it has run out.
  std::string response_for(X509* cert) const;

 private:
  std::string certificate_file_, trust_anchors_;
  OcspSettings settings_;
  mutable std::mutex mu_;
  X509Ptr cert_;       // the certificate the held response is about
  OcspAnswer held_;
};

// Server contexts: staple when the client asks (status_request). The context keeps `staple` alive.
void install_ocsp_stapling(SSL_CTX* ctx, std::shared_ptr<OcspStaple> staple);

}  // namespace edugate::security
