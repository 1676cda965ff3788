#include "security/x509_files.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace edugate::security {

std::string name_line(const X509_NAME* n) {
  char buf[512];
  X509_NAME_oneline(n, buf, sizeof buf);
  return buf;
}

std::int64_t unix_time(const ASN1_TIME* t) {
  struct tm tm {};
  return t && ASN1_TIME_to_tm(t, &tm) == 1 ? static_cast<std::int64_t>(timegm(&tm)) : 0;
}

std::vector<X509Ptr> read_certs(const std::string& path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(path.c_str(), "r"), &fclose);
  if (!f) throw std::runtime_error("cannot read certificate file " + path);
  std::vector<X509Ptr> out;
  while (X509* c = PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
  ERR_clear_error();  // the end of the file reads as an error
  if (out.empty()) throw std::runtime_error("no certificate in " + path);
  return out;
}

std::vector<CrlPtr> read_crls(const std::string& path) {
  std::vector<CrlPtr> out;
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(path.c_str(), "r"), &fclose);
  while (f) {
    X509_CRL* crl = PEM_read_X509_CRL(f.get(), nullptr, nullptr, nullptr);
    if (!crl) break;
    out.emplace_back(crl);
  }
  ERR_clear_error();
  return out;
}

}  // namespace edugate::security
