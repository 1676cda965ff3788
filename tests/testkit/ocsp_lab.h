#pragma once
// Test kit for OCSP: the example PKI's OCSP responder of the issuing CA, a real `openssl ocsp`
// process on a free loopback port (so tests may run side by side; the certificates' AIA names
// 127.0.0.1:8098, which tests replace with tls.ocsp.responder_url). TEST-ONLY PKI material.
#include <sys/types.h>

#include <string>

namespace edugate::testkit {

class OcspResponder {
 public:
  // Answers for the issuing CA from <pki>/ocsp/index.txt (ocsp-good: good, ocsp-revoked:
  // revoked, ocsp-unknown: not in it), signed by <pki>/ocsp/signer.cert.pem, with a nextUpdate
  // next_update_min minutes ahead. signer: the file stem in the PKI of the certificate and key it
  // signs with (another one than the issuing CA authorised: answers no client should believe).
  // Throws when the responder does not start.
  explicit OcspResponder(int next_update_min = 5, const std::string& signer = "ocsp/signer");
  ~OcspResponder();
  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const;  // http://127.0.0.1:<port>/
  int requests() const;     // answered so far (from the responder's own log)
  void stop();              // the responder is down: connections are refused

 private:
  std::string dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

}  // namespace edugate::testkit
