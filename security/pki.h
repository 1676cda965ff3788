#pragma once
// The identity a PKIoverheid certificate carries: the OIN in subject.serialNumber.
#include <openssl/x509.h>

#include <string>

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
