#include "security/revocation.h"

#include "security/ocsp.h"
#include "security/x509_files.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace edugate::security {
namespace {

std::string date_of(std::int64_t t) {
  const std::time_t s = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

// A CRL counts for a CA when the CA issued it: the issuer name matches and the CA's key verifies
// its signature (as OpenSSL requires before it uses one).
bool issued_by(X509_CRL* crl, X509* ca) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0) return false;
  EVP_PKEY* key = X509_get0_pubkey(ca);
  const bool ok = key && X509_CRL_verify(crl, key) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

std::vector<CaRevocation> ca_revocation(const TlsSettings& tls, const CrlFetchSettings* fetch) {
  std::vector<X509Ptr> known;  // every configured certificate: CAs, and our leaf (its CDPs)
  for (auto& c : read_certs(tls.trust_anchors)) known.push_back(std::move(c));
  for (auto& c : read_certs(tls.certificate)) known.push_back(std::move(c));
  if (!tls.signing_certificate.empty())
    for (auto& c : read_certs(tls.signing_certificate)) known.push_back(std::move(c));
  if (fetch)
    for (const auto& f : fetch->intermediates)
      for (auto& c : read_certs(f)) known.push_back(std::move(c));
  std::vector<X509*> cas;
  for (const auto& c : known) {
    if (X509_check_ca(c.get()) == 0) continue;
    bool seen = false;
    for (X509* o : cas) seen = seen || X509_cmp(o, c.get()) == 0;
    if (!seen) cas.push_back(c.get());
  }
  std::vector<std::string> crl_file_of;
  std::vector<CrlPtr> crls;
  for (const auto& path : crl_files(tls))
    for (auto& c : read_crls(path)) {  // an unreadable file: the TLS contexts report it when they load
      crls.push_back(std::move(c));
      crl_file_of.push_back(path);
    }

  std::vector<CaRevocation> out;
  for (X509* ca : cas) {
    CaRevocation r;
    r.subject = name_line(X509_get_subject_name(ca));
    for (std::size_t i = 0; i < crls.size(); ++i) {
      if (!issued_by(crls[i].get(), ca)) continue;
      const std::int64_t next = unix_time(X509_CRL_get0_nextUpdate(crls[i].get()));
      if (next > r.next_update) {
        r.next_update = next;
        r.crl_file = crl_file_of[i];
      }
    }
    if (fetch) {
      // A CA's distribution point is named in the certificates it issued.
      for (const auto& c : known) {
        if (X509_NAME_cmp(X509_get_issuer_name(c.get()), X509_get_subject_name(ca)) != 0 || X509_cmp(c.get(), ca) == 0) continue;
        for (const auto& url : crl_distribution_points(c.get()))
          if (std::find(r.fetch_urls.begin(), r.fetch_urls.end(), url) == r.fetch_urls.end()) r.fetch_urls.push_back(url);
      }
      r.any_configured_url = !fetch->urls.empty();
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> revocation_problems(const std::vector<CaRevocation>& cas, std::int64_t now,
                                             bool require_in_force) {
  std::vector<std::string> out;
  for (const auto& ca : cas) {
    if (ca.in_force(now) || (!require_in_force && ca.fetchable())) continue;
    std::string line = ca.next_update == 0
                           ? "no CRL for CA '" + ca.subject + "'"
                           : "the CRL of CA '" + ca.subject + "' is past its nextUpdate (" + date_of(ca.next_update) + ", " +
                                 ca.crl_file + ")";
    line += ca.fetchable() ? ": not fetched yet from " + (ca.fetch_urls.empty() ? std::string("crl_fetch.urls") : ca.fetch_urls.front())
                           : ": its certificates are refused; add its CRL to tls.crls or its distribution point to crl_fetch";
    out.push_back(std::move(line));
  }
  return out;
}

namespace {

void free_failure(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<CrlFailure*>(ptr); }

int failure_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_failure);
  return index;
}

bool is_crl_error(int err) {
  switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
      return true;
    default:
      return false;
  }
}

// Records the CA of a CRL error on the connection, then lets OpenSSL's verdict stand.
int record_crl_failure(int ok, X509_STORE_CTX* x) {
  if (ok) return ok;
  const int err = X509_STORE_CTX_get_error(x);
  if (!is_crl_error(err)) return ok;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* cert = X509_STORE_CTX_get_current_cert(x);  // the certificate whose issuer's CRL is missing
  if (!ssl || !cert || failure_index() < 0) return ok;
  delete static_cast<CrlFailure*>(SSL_get_ex_data(ssl, failure_index()));
  SSL_set_ex_data(ssl, failure_index(),
                  new CrlFailure{name_line(X509_get_issuer_name(cert)), X509_verify_cert_error_string(err)});
  return ok;
}

}  // namespace

void install_crl_failure_recorder(SSL_CTX* ctx) {
  failure_index();
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), &record_crl_failure);
}

CrlFailure crl_failure_of(const SSL* ssl) {
  if (!ssl || failure_index() < 0) return {};
  const auto* f = static_cast<const CrlFailure*>(SSL_get_ex_data(ssl, failure_index()));
  return f ? *f : CrlFailure{};
}

namespace {

void free_checks(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<PeerRevocation*>(ptr); }
void free_refusal(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<std::string*>(ptr); }

int checks_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_checks);
  return index;
}
int refusal_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_refusal);
  return index;
}

int refuse(X509_STORE_CTX* x, int error, std::string why) {
  X509_STORE_CTX_set_error(x, error);
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl && refusal_index() >= 0) {
    delete static_cast<std::string*>(SSL_get_ex_data(ssl, refusal_index()));
    SSL_set_ex_data(ssl, refusal_index(), new std::string(std::move(why)));
  }
  return 0;
}

// In place of OpenSSL's X509_verify_cert for a peer's chain (SSL_CTX_set_cert_verify_callback).
int verify_peer(X509_STORE_CTX* x, void* arg) {
  const auto& checks = *static_cast<PeerRevocation*>(arg);
  const int ok = X509_verify_cert(x);
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(x);
  if (checks.learned && chain && (ok == 1 || is_crl_error(X509_STORE_CTX_get_error(x))))
    checks.learned->note(chain, ok == 1);
  if (ok != 1 || !checks.ocsp || checks.ocsp->settings().peers == OcspPolicy::off || !chain || sk_X509_num(chain) < 2)
    return ok;
  const bool required = checks.ocsp->settings().peers == OcspPolicy::require;
  X509* leaf = sk_X509_value(chain, 0);
  if (checks.ocsp->settings().responder_url.empty() && ocsp_urls(leaf).empty())
    return required ? refuse(x, X509_V_ERR_OCSP_VERIFY_NEEDED, "ocsp: no answer (the certificate names no responder)") : ok;
  const OcspAnswer a = checks.ocsp->status_of(chain);
  switch (a.status) {
    case OcspAnswer::Status::good: return ok;
    case OcspAnswer::Status::revoked:
      return refuse(x, X509_V_ERR_CERT_REVOKED, "ocsp: revoked" + (a.reason.empty() ? std::string() : " (" + a.reason + ")"));
    case OcspAnswer::Status::unknown:
      return required ? refuse(x, X509_V_ERR_OCSP_CERT_UNKNOWN, "ocsp: unknown") : ok;
    case OcspAnswer::Status::no_answer: break;
  }
  // prefer: the CRLs OpenSSL checked decide.
  return required ? refuse(x, X509_V_ERR_OCSP_VERIFY_FAILED, "ocsp: no answer (" + a.reason + ")") : ok;
}

}  // namespace

void install_peer_revocation(SSL_CTX* ctx, PeerRevocation checks) {
  if ((!checks.ocsp && !checks.learned) || checks_index() < 0) return;
  refusal_index();
  auto* held = new PeerRevocation(std::move(checks));
  SSL_CTX_set_ex_data(ctx, checks_index(), held);
  SSL_CTX_set_cert_verify_callback(ctx, &verify_peer, held);
}

std::string ocsp_refusal_of(const SSL* ssl) {
  if (!ssl || refusal_index() < 0) return {};
  const auto* why = static_cast<const std::string*>(SSL_get_ex_data(ssl, refusal_index()));
  return why ? *why : std::string();
}

}  // namespace edugate::security
