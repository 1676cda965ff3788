#include "security/pki.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>

#include "core/rules.h"

namespace edugate::security {

Result<PeerIdentity> identity_of(X509* cert) {
  if (cert == nullptr) return make_error(rules::DK0002, "geen clientcertificaat");
  X509_NAME* subject = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (idx < 0) return make_error(rules::DK0002, "certificaat bevat geen OIN in subject.serialNumber");
  if (X509_NAME_get_index_by_NID(subject, NID_serialNumber, idx) >= 0)
    return make_error(rules::DK0002, "certificaat bevat meer dan één subject.serialNumber");
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                   static_cast<size_t>(ASN1_STRING_length(data)));
  auto oin = Oin::parse(text);
  if (!oin) return make_error(rules::DK0002, "subject.serialNumber van het certificaat is geen geldig OIN");

  std::string serial;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  char line[512];
  X509_NAME_oneline(subject, line, sizeof line);
  std::int64_t not_after = 0;
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) not_after = timegm(&tm);
  return PeerIdentity{*oin, serial, line, not_after};
}

Result<PeerIdentity> identity_of_file(const std::string& pem_path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(pem_path.c_str(), "r"), &fclose);
  if (!f) return make_error("FILE", "kan certificaat niet lezen: " + pem_path);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return make_error("FILE", "geen PEM-certificaat in " + pem_path);
  return identity_of(cert.get());
}

}  // namespace edugate::security

#include <openssl/x509_vfy.h>

#include "security/tls_policy.h"
#include "security/x509_files.h"

namespace edugate::security {


ChainCheck verify_chain_file(const std::string& pem_path, const TlsSettings& s) {
  ChainCheck out;
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(pem_path.c_str(), "r"), &fclose);
  if (!f) {
    out.reason = "kan " + pem_path + " niet lezen";
    return out;
  }
  std::unique_ptr<X509, decltype(&X509_free)> leaf(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!leaf) {
    out.reason = "geen PEM-certificaat";
    return out;
  }
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  while (X509* c = PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) sk_X509_push(untrusted, c);
  ERR_clear_error();
  X509_STORE* store = X509_STORE_new();
  X509_STORE_load_file(store, s.trust_anchors.c_str());
  for (const auto& crl_file : crl_files(s)) {
    std::unique_ptr<FILE, decltype(&fclose)> cf(std::fopen(crl_file.c_str(), "r"), &fclose);
    while (cf) {
      X509_CRL* crl = PEM_read_X509_CRL(cf.get(), nullptr, nullptr, nullptr);
      if (!crl) break;
      X509_STORE_add_crl(store, crl);
      X509_CRL_free(crl);
    }
  }
  ERR_clear_error();
  X509_STORE_set_flags(store, (s.check_revocation ? X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL : 0) |
                                  X509_V_FLAG_X509_STRICT);
  X509_STORE_set_purpose(store, X509_PURPOSE_SSL_CLIENT);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), untrusted);
  out.valid = X509_verify_cert(ctx) == 1;
  if (!out.valid) out.reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx))
    for (int i = 0; i < sk_X509_num(chain); ++i) out.chain.push_back(name_line(X509_get_subject_name(sk_X509_value(chain, i))));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  sk_X509_pop_free(untrusted, X509_free);
  return out;
}

std::vector<CrlInfo> crl_info(const std::vector<std::string>& files) {
  std::vector<CrlInfo> out;
  for (const auto& file : files) {
    std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(file.c_str(), "r"), &fclose);
    while (f) {
      X509_CRL* crl = PEM_read_X509_CRL(f.get(), nullptr, nullptr, nullptr);
      if (!crl) break;
      out.push_back({file, name_line(X509_CRL_get_issuer(crl)), unix_time(X509_CRL_get0_nextUpdate(crl)),
                     unix_time(X509_CRL_get0_lastUpdate(crl))});
      X509_CRL_free(crl);
    }
    ERR_clear_error();
  }
  return out;
}

CertValidity validity_of(X509* cert) {
  if (cert == nullptr) return {};
  return {name_line(X509_get_subject_name(cert)), unix_time(X509_get0_notAfter(cert))};
}

std::vector<CertValidity> validity_of_file(const std::string& pem_path) {
  std::vector<CertValidity> out;
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(pem_path.c_str(), "r"), &fclose);
  while (f) {
    X509* cert = PEM_read_X509(f.get(), nullptr, nullptr, nullptr);
    if (!cert) break;
    out.push_back(validity_of(cert));
    X509_free(cert);
  }
  ERR_clear_error();
  return out;
}

}  // namespace edugate::security
