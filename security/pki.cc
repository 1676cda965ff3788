#include "security/pki.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>

namespace edugate::security {

Result<PeerIdentity> identity_of(X509* cert) {
  if (cert == nullptr) return make_error("DK0002", "geen clientcertificaat");
  X509_NAME* subject = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (idx < 0) return make_error("DK0002", "certificaat bevat geen OIN in subject.serialNumber");
  if (X509_NAME_get_index_by_NID(subject, NID_serialNumber, idx) >= 0)
    return make_error("DK0002", "certificaat bevat meer dan één subject.serialNumber");
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                   static_cast<size_t>(ASN1_STRING_length(data)));
  auto oin = Oin::parse(text);
  if (!oin) return make_error("DK0002", "subject.serialNumber van het certificaat is geen geldig OIN");

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
