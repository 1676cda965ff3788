#include "security/tls_policy.h"

#include "security/revocation.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "security/tls_session.h"

namespace edugate::security {

const char* const kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
const char* const kTls13Suites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

namespace {

std::string ssl_error() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

void load_crls(X509_STORE* store, const std::string& path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(path.c_str(), "r"), &fclose);
  if (!f) throw std::runtime_error("cannot read CRL file " + path);
  int n = 0;
  while (X509_CRL* crl = PEM_read_X509_CRL(f.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_crl(store, crl);
    X509_CRL_free(crl);
    ++n;
  }
  ERR_clear_error();  // end-of-file of the PEM loop
  if (n == 0) throw std::runtime_error("no CRL in " + path);
}

// A resumed session skips certificate verification, so a ticket must only resume under the
// trust it was verified with: the session id context is a digest of the anchors and CRLs, and
// any change to them (a fetched CRL, a new anchor) sends every client through a full handshake.
void bind_sessions_to_trust(SSL_CTX* c, const TlsSettings& s, const std::vector<std::string>& crls) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  auto add_file = [&](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const std::uint64_t n = bytes.size();
    EVP_DigestUpdate(md.get(), &n, sizeof n);
    EVP_DigestUpdate(md.get(), bytes.data(), bytes.size());
  };
  add_file(s.trust_anchors);
  const unsigned char revocation = s.check_revocation ? 1 : 0;
  EVP_DigestUpdate(md.get(), &revocation, 1);
  if (s.check_revocation)
    for (const auto& f : crls) add_file(f);
  unsigned char sid[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md.get(), sid, &len);
  if (SSL_CTX_set_session_id_context(c, sid, std::min<unsigned int>(len, SSL_MAX_SID_CTX_LENGTH)) != 1)
    throw std::runtime_error("cannot set the TLS session id context");
}

// The protocol policy every context shares, and our own certificate chain and key.
void apply_policy(SSL_CTX* c, const std::string& certificate, const std::string& private_key) {
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_security_level(c, 2);  // RSA/DH >= 2048, no SHA-1 signatures
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An idle connection gives its 16 KiB+ record buffers back (measured: 80 KiB per idle
  // keep-alive connection without it; issue 7 asks for under 40).
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(c, kTls13Suites) != 1)
    throw std::runtime_error("TLS cipher configuration refused: " + ssl_error());
  SSL_CTX_set1_groups_list(c, "X25519:P-256:P-384");

  if (SSL_CTX_use_certificate_chain_file(c, certificate.c_str()) != 1)
    throw std::runtime_error("cannot load certificate chain " + certificate + ": " + ssl_error());
  if (SSL_CTX_use_PrivateKey_file(c, private_key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw std::runtime_error("cannot load private key " + private_key + ": " + ssl_error());
  if (SSL_CTX_check_private_key(c) != 1)
    throw std::runtime_error("private key " + private_key + " does not match " + certificate);
}

SslContextPtr make_context(const TlsSettings& s, bool server, std::shared_ptr<TicketKeyRing> tickets, const TlsRuntime& rt) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(server ? ssl::context::tls_server : ssl::context::tls_client);
  SSL_CTX* c = ctx->native_handle();
  apply_policy(c, s.certificate, s.private_key);
  if (SSL_CTX_load_verify_locations(c, s.trust_anchors.c_str(), nullptr) != 1)
    throw std::runtime_error("cannot load trust anchors " + s.trust_anchors + ": " + ssl_error());

  X509_STORE* store = SSL_CTX_get_cert_store(c);
  const auto crls = crl_files(s);
  if (s.check_revocation) {
    for (const auto& p : crls) load_crls(store, p);
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL | X509_V_FLAG_X509_STRICT);
  } else {
    X509_STORE_set_flags(store, X509_V_FLAG_X509_STRICT);
  }
  // A server verifies the client for clientAuth, a client the server for serverAuth.
  X509_STORE_set_purpose(store, server ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER);
  ctx->set_verify_mode(ssl::verify_peer | (server ? ssl::verify_fail_if_no_peer_cert : 0));
  ctx->set_verify_depth(5);
  install_crl_failure_recorder(c);  // a refusal for a missing or stale CRL can name the CA
  if (s.check_revocation) install_peer_revocation(c, {rt.ocsp, rt.learned});
  if (server) install_ocsp_stapling(c, rt.staple);
  if (server) {
    bind_sessions_to_trust(c, s, crls);
    // Stateless tickets under our own rotating keys are the only way to resume: no session
    // cache in the server (unbounded memory, and sessions that outlive key rotation).
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    if (tickets && s.session_tickets) {
      enable_session_tickets(c, std::move(tickets));
      SSL_CTX_set_timeout(c, std::max(1, s.session_lifetime_s));
      SSL_CTX_set_num_tickets(c, 1);
    } else {
      SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
      SSL_CTX_set_num_tickets(c, 0);
    }
  } else {
    enable_client_session_capture(c);
  }
  return ctx;
}

}  // namespace

SslContextPtr make_server_context(const TlsSettings& s, std::shared_ptr<TicketKeyRing> tickets, const TlsRuntime& runtime) {
  return make_context(s, true, std::move(tickets), runtime);
}
SslContextPtr make_client_context(const TlsSettings& s, const TlsRuntime& runtime) {
  return make_context(s, false, nullptr, runtime);
}

SslContextPtr make_local_server_context(const std::string& certificate, const std::string& private_key,
                                        const std::string& client_ca) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* c = ctx->native_handle();
  apply_policy(c, certificate, private_key);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(c, 0);
  static const unsigned char sid[] = "edugate-internal";
  SSL_CTX_set_session_id_context(c, sid, sizeof sid - 1);
  if (client_ca.empty()) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  if (SSL_CTX_load_verify_locations(c, client_ca.c_str(), nullptr) != 1)
    throw std::runtime_error("cannot load client CA " + client_ca + ": " + ssl_error());
  X509_STORE* store = SSL_CTX_get_cert_store(c);
  X509_STORE_set_flags(store, X509_V_FLAG_X509_STRICT);
  X509_STORE_set_purpose(store, X509_PURPOSE_SSL_CLIENT);
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  ctx->set_verify_depth(5);
  return ctx;
}

void check_signing_material(const TlsSettings& s) {
  if (s.signing_certificate.empty() && s.signing_private_key.empty()) return;
  std::unique_ptr<FILE, decltype(&fclose)> cf(std::fopen(s.signing_certificate.c_str(), "r"), &fclose);
  std::unique_ptr<X509, decltype(&X509_free)> cert(cf ? PEM_read_X509(cf.get(), nullptr, nullptr, nullptr) : nullptr,
                                                   &X509_free);
  if (!cert) throw std::runtime_error("cannot load signing certificate " + s.signing_certificate + ": " + ssl_error());
  std::unique_ptr<FILE, decltype(&fclose)> kf(std::fopen(s.signing_private_key.c_str(), "r"), &fclose);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      kf ? PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr) : nullptr, &EVP_PKEY_free);
  if (!key) throw std::runtime_error("cannot load signing key " + s.signing_private_key + ": " + ssl_error());
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("signing key " + s.signing_private_key + " does not match " + s.signing_certificate);
  }
}

std::vector<std::string> crl_files(const TlsSettings& s) {
  std::vector<std::string> out = s.crls;
  if (s.crl_cache_dir.empty()) return out;
  std::vector<std::string> cached;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(s.crl_cache_dir, ec)) {
    const std::string name = e.path().filename().string();
    // Temporary files of an unfinished write start with a dot.
    if (e.is_regular_file(ec) && name[0] != '.' && name.size() > 8 && name.ends_with(".crl.pem"))
      cached.push_back(e.path().string());
  }
  std::sort(cached.begin(), cached.end());
  out.insert(out.end(), cached.begin(), cached.end());
  return out;
}

std::string verify_failure_reason(long verify_result) { return X509_verify_cert_error_string(verify_result); }

}  // namespace edugate::security
