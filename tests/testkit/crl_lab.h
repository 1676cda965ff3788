#pragma once
// Test kit for CRL fetching: a tiny HTTP server for distribution points, a copy of a test CA to
// issue newer CRLs with, and CRLs and certificates made to be refused. TEST-ONLY PKI material.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace edugate::testkit {

// Serves GET /crl/<name> from <dir>/<name> on 127.0.0.1:<port> (0: any free port). The example
// PKI's distribution points are http://127.0.0.1:8099/crl/<ca>.crl, so tests that use this
// port hold the ctest RESOURCE_LOCK crl_port.
class CrlServer {
 public:
  explicit CrlServer(std::string dir, unsigned short port = 8099);
  ~CrlServer();
  CrlServer(const CrlServer&) = delete;
  CrlServer& operator=(const CrlServer&) = delete;

  unsigned short port() const;
  int requests() const;
  void set_delay_ms(int ms);  // answer this late (to test timeouts)
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Copies the DER CRLs of the example PKI (crl/<ca>.crl) into dir.
void copy_pki_crls(const std::string& dir);

// A copy of one CA's openssl-ca database (ca-db/<ca> of the example PKI) in its own directory,
// so revoking a certificate there leaves the shared PKI as it is.
class CaCopy {
 public:
  CaCopy(const std::string& ca, const std::string& dir);
  void revoke(const std::string& cert_pem);
  void write_crl_der(const std::string& out_path);  // the next CRL (higher crlNumber)

 private:
  std::string dir_;
};

// A CRL naming the subject of issuer_cert_pem as issuer, with a high crlNumber, but signed with
// another key (key_pem): DER at out_path.
void forge_crl(const std::string& issuer_cert_pem, const std::string& key_pem, const std::string& out_path);

// A self-signed CA certificate (PEM at out_path) whose CRL distribution points are `uris`.
void ca_with_distribution_points(const std::vector<std::string>& uris, const std::string& out_path);

}  // namespace edugate::testkit
