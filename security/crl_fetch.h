#pragma once
// Fetching CRLs from the certificates' CRL distribution points (edukoppeling.md §3: CRLs for
// every CA in the chain, refreshed at least every 4 hours, fail closed).
//
// The URLs come from every certificate we know: our own chain, the configured intermediates and
// the trust anchors, plus configured ones, plus those learned from peers' chains in handshakes
// (LearnedDistributionPoints: a CA's own distribution point is only in the certificates it
// issues, so a peer's issuing CA other than ours is found that way).
// Only http:// is fetched (a CRL is signed; https would need the very revocation data it
// fetches). A fetched CRL is accepted only when its issuer is the CA the distribution point
// belongs to (for a configured URL: any CA we know), its signature verifies with that CA's
// certificate (a trust anchor, or an intermediate chaining to one), and it is not older than
// the CRL we hold. It is then written to the cache directory (atomically, as PEM, so a restart
// without network still has it) and the TLS contexts are reloaded. A failed fetch changes
// nothing: the CRL we hold stays in force until its nextUpdate, after which OpenSSL refuses
// that issuer's certificates.
//
// Network input: the HTTP answer is read with a deadline and a body limit, and the CRL is
// parsed by OpenSSL only after those checks.
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "security/tls_policy.h"
#include "security/x509_files.h"

namespace edugate::security {

class TlsContexts;

struct CrlFetchSettings {
  bool enabled = false;
  int refresh_interval_s = 3600;           // at most 14400 (4 hours)
  int timeout_ms = 5000;                   // per URL: connect, request and the whole answer
  std::size_t max_bytes = 10u << 20;       // a larger answer is refused
  std::string cache_dir;                   // fetched CRLs, one <issuer>.crl.pem per CA
  std::vector<std::string> intermediates;  // PEM files of CA certificates (their CDPs, and CRL issuers)
  std::vector<std::string> urls;           // more distribution points (an issuing CA's CDP is only in its leaves)
  std::string url_base;                    // labs: fetch <url_base>/<last path segment of the CDP> instead
  bool learn_from_peers = true;            // follow the distribution points of peers' chains
  std::size_t max_learned = 32;            // at most this many learned distribution points
};

// Distribution points seen in peers' chains in handshakes, each with the CA certificate that
// issued the certificate naming it (from the same chain). note() runs on the handshake path: it
// only takes a point not seen before, from a chain whose every signature verifies up to the
// trust anchor it reached (the CRL checks refuse before OpenSSL checks signatures), and no more
// than `max` of them. The fetcher accepts a CRL from a learned point only when that CA
// certificate chains to a trust anchor and signed the CRL, as for any other point. Kept in
// <cache_dir>/learned/ (one PEM file per CA, its URLs in `url:` lines before the certificate),
// so a restart still knows which CA a cached CRL belongs to. Thread-safe.
class LearnedDistributionPoints {
 public:
  LearnedDistributionPoints(std::string dir, std::size_t max);  // reads what dir holds
  // Points the fetcher knows anyway (from configured certificates): not learned again.
  void already_known(const std::vector<std::string>& urls);
  // verified: OpenSSL verified the whole chain (else the signatures are checked here first).
  void note(STACK_OF(X509)* chain, bool verified);
  // The points noted since the last call (to fetch soon and log), and how many were turned away.
  std::vector<std::string> take_news(std::size_t* refused = nullptr);
  std::vector<std::pair<std::string, X509Ptr>> points() const;  // url, the CA whose CRL it serves
  Status save() const;                                          // writes dir (on a worker, never in a handshake)

 private:
  std::string dir_;
  std::size_t max_;
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, X509Ptr>> points_;
  std::vector<std::string> known_;
  std::vector<std::string> news_;
  std::size_t refused_ = 0;
};

// The URIs of a certificate's CRL distribution points (every scheme), in order.
std::vector<std::string> crl_distribution_points(X509* cert);
// The same for the first certificate of a PEM file (empty when unreadable).
std::vector<std::string> crl_distribution_points_of_file(const std::string& pem_path);

// HTTP GET with a deadline for the whole exchange and a body limit; only status 200 is a body.
Result<std::string> http_get(const std::string& url, int timeout_ms, std::size_t max_bytes);
// The same as a POST of `body` (OCSP requests, security/ocsp.h).
Result<std::string> http_post(const std::string& url, const std::string& content_type, const std::string& body,
                              const std::string& accept, int timeout_ms, std::size_t max_bytes);

struct CrlFetchOutcome {
  enum class Kind {
    updated,    // a newer CRL is in the cache
    unchanged,  // the same CRL as we hold
    failed,     // fetch failed or the CRL was refused; the CRL we hold (if any) stays
    skipped,    // not an http:// URL
  };
  Kind kind = Kind::failed;
  std::string url;               // as fetched (after url_base)
  std::string issuer;            // the CA the CRL is (or was expected to be) of
  std::string reason;            // why failed or skipped
  std::int64_t next_update = 0;  // of the CRL now held for this issuer; 0: none held
};

struct CrlRefresh {
  std::vector<CrlFetchOutcome> outcomes;
  bool changed = false;         // at least one CRL updated: the TLS contexts were reloaded
  Status reload = ok_status();  // the reload's outcome when changed
  bool all_ok() const;          // nothing failed
};

class CrlFetcher {
 public:
  // Creates the cache directory. Throws std::runtime_error on unreadable certificate files
  // (a configuration error at start-up).
  CrlFetcher(TlsSettings tls, CrlFetchSettings settings, std::shared_ptr<LearnedDistributionPoints> learned = nullptr);

  // The distinct distribution point URLs of all known certificates (before url_base).
  std::vector<std::string> urls() const;
  // Checks the cached CRLs again (issuer, signature); one that fails is renamed to
  // *.invalid and reported. Call before the TLS contexts are built.
  std::vector<CrlFetchOutcome> check_cache();
  // Fetches every distribution point once; when a CRL changed, reloads `tls`.
  CrlRefresh refresh(TlsContexts& tls);
  // What refresh does with one distribution point's answer (`url` as in urls()): judge it and,
  // if accepted, write the cache. For the fuzz target; refresh uses it for every answer.
  CrlFetchOutcome accept_answer(const std::string& url, const std::string& body);

 private:
  struct Known;
  Known known() const;  // re-read each time: certificates may be renewed; throws on unreadable files
  CrlFetchOutcome fetch_one(const Known& known, const std::string& url, const std::vector<std::string>& issuers);
  CrlFetchOutcome judge(const Known& known, const std::vector<std::string>& issuers, const Result<std::string>& body,
                        CrlFetchOutcome o);

  TlsSettings tls_;
  CrlFetchSettings settings_;
  std::shared_ptr<LearnedDistributionPoints> learned_;
  std::mutex mu_;  // one refresh at a time
};

}  // namespace edugate::security
