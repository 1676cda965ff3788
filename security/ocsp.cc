#include "security/ocsp.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "security/crl_fetch.h"
#include "security/ocsp_answer.h"

namespace edugate::security {

namespace {

template <class T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using CertIdPtr = std::unique_ptr<OCSP_CERTID, Free<OCSP_CERTID, OCSP_CERTID_free>>;
using RequestPtr = std::unique_ptr<OCSP_REQUEST, Free<OCSP_REQUEST, OCSP_REQUEST_free>>;
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, Free<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, Free<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Free<X509_STORE, X509_STORE_free>>;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

// Responder URLs and reasons end up in JSON log lines: keep them printable.
std::string printable(std::string s) {
  for (char& c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') c = '?';
  return s;
}

std::string der_of_id(OCSP_CERTID* id) {
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_CERTID(id, &der);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string responder_of(X509* cert, const OcspSettings& s) {
  if (!s.responder_url.empty()) return s.responder_url;
  for (const auto& url : ocsp_urls(cert))
    if (url.rfind("http://", 0) == 0) return url;  // an answer is signed; https would need the revocation data it fetches
  return {};
}

OcspAnswer no_answer(OcspAnswer a, std::string why) {
  a.status = OcspAnswer::Status::no_answer;
  a.reason = printable(std::move(why));
  a.der.clear();
  return a;
}

}  // namespace

const char* status_name(OcspAnswer::Status s) {
  switch (s) {
    case OcspAnswer::Status::good: return "good";
    case OcspAnswer::Status::revoked: return "revoked";
    case OcspAnswer::Status::unknown: return "unknown";
    case OcspAnswer::Status::no_answer: break;
  }
  return "no answer";
}

std::vector<std::string> ocsp_urls(X509* cert) {
  std::vector<std::string> out;
  auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  if (!aia) return out;
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); ++i) {
    ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
    if (OBJ_obj2nid(ad->method) != NID_ad_OCSP || ad->location->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), static_cast<std::size_t>(ASN1_STRING_length(uri)));
  }
  AUTHORITY_INFO_ACCESS_free(aia);
  return out;
}

OcspAnswer query_ocsp(X509* cert, X509* issuer, STACK_OF(X509)* untrusted, X509_STORE* store, const OcspSettings& s) {
  OcspAnswer a;
  a.url = printable(responder_of(cert, s));
  if (a.url.empty()) return no_answer(std::move(a), "the certificate names no http:// OCSP responder");
  CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));  // SHA-1 CertIDs are what responders index (RFC 5019)
  RequestPtr req(OCSP_REQUEST_new());
  if (!id || !req || !OCSP_request_add0_id(req.get(), OCSP_CERTID_dup(id.get())) ||
      !OCSP_request_add1_nonce(req.get(), nullptr, -1)) {
    ERR_clear_error();
    return no_answer(std::move(a), "cannot make the request");
  }
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_REQUEST(req.get(), &der);
  if (len <= 0) return no_answer(std::move(a), "cannot encode the request");
  const std::string body(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);

  auto answer = http_post(a.url, "application/ocsp-request", body, "application/ocsp-response", s.timeout_ms,
                          s.max_response_bytes);
  if (!answer) return no_answer(std::move(a), answer.error().message);
  OcspAnswer judged = judge_ocsp_answer(*answer, req.get(), cert, issuer, untrusted, store);
  judged.url = std::move(a.url);
  return judged;
}

OcspAnswer judge_ocsp_answer(const std::string& body, OCSP_REQUEST* request, X509* cert, X509* issuer,
                             STACK_OF(X509)* untrusted, X509_STORE* store) {
  OcspAnswer a;
  CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  if (!id) return no_answer(std::move(a), "cannot name the certificate");
  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  ResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(body.size())));
  ERR_clear_error();
  if (!resp || p != reinterpret_cast<const unsigned char*>(body.data()) + body.size())
    return no_answer(std::move(a), "the answer is not an OCSP response");
  if (const int st = OCSP_response_status(resp.get()); st != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return no_answer(std::move(a), std::string("responder says ") + OCSP_response_status_str(st));
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  ERR_clear_error();
  if (!basic) return no_answer(std::move(a), "no basic response");
  if (request && OCSP_check_nonce(request, basic.get()) == 0) return no_answer(std::move(a), "the answer carries another nonce");
  const int verified = OCSP_basic_verify(basic.get(), untrusted, store, 0);
  ERR_clear_error();
  if (verified != 1)
    return no_answer(std::move(a), "the answer's signature does not verify with the CA or a responder it authorised");
  int status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update, &next_update) != 1)
    return no_answer(std::move(a), "the answer does not name the certificate asked about");
  if (OCSP_check_validity(this_update, next_update, 300, -1) != 1) {
    ERR_clear_error();
    return no_answer(std::move(a), "the answer is not current (thisUpdate/nextUpdate)");
  }
  a.this_update = unix_time(this_update);
  a.next_update = next_update ? unix_time(next_update) : 0;
  a.der = body;
  switch (status) {
    case V_OCSP_CERTSTATUS_GOOD: a.status = OcspAnswer::Status::good; break;
    case V_OCSP_CERTSTATUS_REVOKED:
      a.status = OcspAnswer::Status::revoked;
      if (reason >= 0) a.reason = OCSP_crl_reason_str(reason);
      break;
    default: a.status = OcspAnswer::Status::unknown; break;
  }
  return a;
}

OcspAnswer OcspResponses::status_of(STACK_OF(X509)* chain) {
  const int n = sk_X509_num(chain);
  if (n < 2) return no_answer({}, "no issuer in the chain");
  X509* cert = sk_X509_value(chain, 0);
  X509* issuer = sk_X509_value(chain, 1);
  CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  const std::string key = id ? der_of_id(id.get()) : std::string();
  const auto now = std::chrono::steady_clock::now();
  if (!key.empty()) {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end() && it->second.until > now) return it->second.answer;
  }
  ++queries_;
  StorePtr anchor(X509_STORE_new());
  X509_STORE_add_cert(anchor.get(), sk_X509_value(chain, n - 1));
  OcspAnswer a = query_ocsp(cert, issuer, chain, anchor.get(), settings_);
  if (key.empty()) return a;
  std::chrono::seconds keep(settings_.failure_retry_s);
  if (a.status != OcspAnswer::Status::no_answer) {
    std::int64_t left = settings_.max_cache_s;
    if (a.next_update > 0) left = std::min<std::int64_t>(left, a.next_update - now_s());
    keep = std::chrono::seconds(std::max<std::int64_t>(left, 0));
  }
  a.der.clear();  // peers' answers are judged once; the bytes are not needed again
  std::lock_guard lock(mu_);
  if (cache_.size() >= settings_.max_cache_entries) {
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.until <= now; });
    if (cache_.size() >= settings_.max_cache_entries) cache_.erase(cache_.begin());
  }
  cache_[key] = Entry{a, now + keep};
  return a;
}

OcspStaple::OcspStaple(std::string certificate_file, std::string trust_anchors, OcspSettings s)
    : certificate_file_(std::move(certificate_file)), trust_anchors_(std::move(trust_anchors)), settings_(std::move(s)) {}

OcspStaple::Refresh OcspStaple::refresh() {
  Refresh r;
  if (!settings_.staple) return r;
  std::vector<X509Ptr> chain, anchors;
  try {
    chain = read_certs(certificate_file_);
    anchors = read_certs(trust_anchors_);
  } catch (const std::exception&) {
    return r;  // the TLS contexts report unreadable files
  }
  X509* cert = chain[0].get();
  X509* issuer = nullptr;  // the next certificate of our chain, or an anchor
  for (std::size_t i = 1; i < chain.size() && !issuer; ++i)
    if (X509_check_issued(chain[i].get(), cert) == X509_V_OK) issuer = chain[i].get();
  for (std::size_t i = 0; i < anchors.size() && !issuer; ++i)
    if (X509_check_issued(anchors[i].get(), cert) == X509_V_OK) issuer = anchors[i].get();
  if (!issuer || responder_of(cert, settings_).empty()) return r;
  const std::int64_t now = now_s();
  {
    std::lock_guard lock(mu_);
    if (cert_ && X509_cmp(cert_.get(), cert) == 0 && held_.next_update > 0) {
      const std::int64_t half = held_.this_update + (held_.next_update - held_.this_update) / 2;
      if (now < half) {
        r.next = std::chrono::seconds(std::clamp<std::int64_t>(half - now, 10, settings_.max_cache_s));
        return r;
      }
    }
  }
  StorePtr store(X509_STORE_new());
  for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.get());
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(sk_X509_new_null(),
                                                                       [](STACK_OF(X509) * s) { sk_X509_free(s); });
  for (std::size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i].get());
  r.attempted = true;
  r.answer = query_ocsp(cert, issuer, untrusted.get(), store.get(), settings_);
  if (r.answer.status == OcspAnswer::Status::no_answer) {
    r.next = std::chrono::seconds(std::min(60, settings_.max_cache_s));  // the response held stays until it runs out
    return r;
  }
  const std::int64_t life = r.answer.next_update > 0 ? r.answer.next_update - now : settings_.max_cache_s;
  r.next = std::chrono::seconds(std::clamp<std::int64_t>(life / 2, 10, settings_.max_cache_s));
  std::lock_guard lock(mu_);
  cert_.reset(X509_dup(cert));
  held_ = r.answer;
  if (held_.next_update == 0) held_.next_update = now + settings_.max_cache_s;  // a response without one is not stapled for ever
  return r;
}

std::string OcspStaple::response_for(X509* cert) const {
  std::lock_guard lock(mu_);
  if (!cert_ || !cert || X509_cmp(cert_.get(), cert) != 0 || held_.next_update <= now_s()) return {};
  return held_.der;
}

namespace {

void free_staple(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<std::shared_ptr<OcspStaple>*>(ptr); }

int staple_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_staple);
  return index;
}

// Called only when the client sent status_request.
int staple_status(SSL* ssl, void* arg) {
  const std::string der = static_cast<OcspStaple*>(arg)->response_for(SSL_get_certificate(ssl));
  if (der.empty()) return SSL_TLSEXT_ERR_NOACK;
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(der.size()));  // OpenSSL frees it with the connection
  if (!copy) return SSL_TLSEXT_ERR_NOACK;
  std::memcpy(copy, der.data(), der.size());
  SSL_set_tlsext_status_ocsp_resp(ssl, copy, static_cast<long>(der.size()));
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

void install_ocsp_stapling(SSL_CTX* ctx, std::shared_ptr<OcspStaple> staple) {
  if (!staple || staple_index() < 0) return;
  OcspStaple* raw = staple.get();
  SSL_CTX_set_ex_data(ctx, staple_index(), new std::shared_ptr<OcspStaple>(std::move(staple)));
  SSL_CTX_set_tlsext_status_cb(ctx, &staple_status);
  SSL_CTX_set_tlsext_status_arg(ctx, raw);
}

}  // namespace edugate::security
