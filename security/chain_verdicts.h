#pragma once
// Verdicts of X509_verify_cert on WS-Security signers' chains, kept for a minute (issue 17).
// A party signs every message with the same certificate; verifying its chain (and the signature
// of every CRL on the way) for each one was a fifth of a signed request's instructions. A chain
// that verified is remembered under a key of everything the verdict rests on: the purpose, the
// generation of the trust material (a reload of anchors or CRLs starts afresh, so a CRL that
// revokes the signer takes effect with its reload, as in TLS), the signer's certificate and the
// intermediates offered. A verdict lasts kTtl at most, and never past the certificate's notAfter:
// a CRL that runs out (fail closed) takes effect within kTtl. Refusals are not kept.
#include <openssl/x509.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace edugate::security::wssec {

class ChainVerdicts {
 public:
  static constexpr std::int64_t kTtlSeconds = 60;
  explicit ChainVerdicts(std::size_t max_entries = 10'000) : max_(max_entries) {}

  // SHA-256 over the purpose, the trust generation and the DER of the leaf and each intermediate.
  static std::string key(int purpose, std::uint64_t trust_generation, X509* leaf, STACK_OF(X509)* untrusted);
  bool verified(const std::string& key, std::int64_t now_s) const;
  // After X509_verify_cert succeeded at now_s for this key.
  void remember(const std::string& key, X509* leaf, std::int64_t now_s);
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::int64_t> until_;  // key -> unix seconds
  std::size_t max_;
};

}  // namespace edugate::security::wssec
