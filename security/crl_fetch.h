#pragma once
// Fetching CRLs from the certificates' CRL distribution points (edukoppeling.md §3: CRLs for
// every CA in the chain, refreshed at least every 4 hours, fail closed).
//
// The URLs come from every certificate we know: our own chain, the configured intermediates and
// the trust anchors, plus configured ones (a CA's own distribution point is only in the
// certificates it issues, so a peer's issuing CA other than ours needs its URL configured).
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
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "security/tls_policy.h"

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
};

// The URIs of a certificate's CRL distribution points (every scheme), in order.
std::vector<std::string> crl_distribution_points(X509* cert);
// The same for the first certificate of a PEM file (empty when unreadable).
std::vector<std::string> crl_distribution_points_of_file(const std::string& pem_path);

// HTTP GET with a deadline for the whole exchange and a body limit; only status 200 is a body.
Result<std::string> http_get(const std::string& url, int timeout_ms, std::size_t max_bytes);

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
  CrlFetcher(TlsSettings tls, CrlFetchSettings settings);

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
  std::mutex mu_;  // one refresh at a time
};

}  // namespace edugate::security
