#pragma once
// The identity a PKIoverheid certificate carries: the OIN in subject.serialNumber.
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "core/ids.h"
#include "core/result.h"

namespace edugate::security {

struct PeerIdentity {
  Oin oin;
  std::string serial_hex;  // certificate serial number, hex
  std::string subject;     // one-line subject, for operators (no personal data in PKIoverheid services certs)
  std::int64_t not_after = 0;  // unix seconds
};

// OIN from subject.serialNumber; an error with code DK0002 when absent or malformed.
Result<PeerIdentity> identity_of(X509* cert);
// Reads the first certificate of a PEM file and returns its identity.
Result<PeerIdentity> identity_of_file(const std::string& pem_path);

}  // namespace edugate::security

namespace edugate::security {

struct TlsSettings;

// Verifies the first certificate of a PEM file (later certificates in it are intermediates)
// against the trust anchors and CRLs of the settings (fetched ones included), as the TLS
// handshake would (clientAuth).
struct ChainCheck {
  bool valid = false;
  std::string reason;               // OpenSSL's reason when not valid ("certificate revoked", ...)
  std::vector<std::string> chain;   // subjects, leaf first, as built
};
ChainCheck verify_chain_file(const std::string& pem_path, const TlsSettings& settings);

// The CRLs in PEM files: issuer and nextUpdate, to warn well before one runs out.
struct CrlInfo {
  std::string file, issuer;
  std::int64_t next_update = 0;  // unix seconds
  std::int64_t last_update = 0;  // unix seconds (thisUpdate)
};
std::vector<CrlInfo> crl_info(const std::vector<std::string>& files);

// Subject and end of validity of a certificate, for monitoring (own certificate, trust anchors).
struct CertValidity {
  std::string subject;
  std::int64_t not_after = 0;  // unix seconds
};
CertValidity validity_of(X509* cert);
// Every certificate in a PEM file, in order (empty when unreadable).
std::vector<CertValidity> validity_of_file(const std::string& pem_path);

}  // namespace edugate::security
