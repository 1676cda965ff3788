#pragma once
// Certificates and CRLs read from PEM files, and the few conversions every reader of them needs
// (the PKI checks, CRL fetching, the revocation checks of config check and /readyz).
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edugate::security {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct CrlFree {
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

// X509_NAME_oneline: /C=NL/O=…/CN=…
std::string name_line(const X509_NAME* n);
// Unix seconds of an ASN.1 time; 0 when absent or unreadable.
std::int64_t unix_time(const ASN1_TIME* t);

// Every certificate in a PEM file, in order. Throws std::runtime_error naming the file when it
// cannot be read or holds no certificate.
std::vector<X509Ptr> read_certs(const std::string& path);
// Every CRL in a PEM file, in order; none when the file cannot be read.
std::vector<CrlPtr> read_crls(const std::string& path);

}  // namespace edugate::security
