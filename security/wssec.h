#pragma once
// WS-Security, Digikoppeling profile 2W-be-S (edukoppeling.md §4), with libxmlsec1.
//
// Signing: a wsse:Security header with wsu:Timestamp, the X.509 BinarySecurityToken, optionally
// wsse11:SignatureConfirmation, and one ds:Signature whose references cover, each by its own
// wsu:Id, the soap:Body, the Timestamp, every WS-Addressing header, the token and the
// confirmation. exc-c14n, SHA-256, and by the key: ECDSA-SHA256; RSA-PSS-SHA256 (RFC 6931) for an
// RSA-PSS key or a certificate of the G4 generation (itself RSA-PSS signed); RSA-SHA256 otherwise.
//
// Verifying: the wrapping defences come first, on the DOM, before any cryptography: exactly one
// Security header holding exactly the expected children, unique Ids in the whole document,
// references only "#id" to elements we know by node identity (the Body must be *the* Body child
// of the Envelope), every required part (Body, Timestamp, each WS-A header, each confirmation)
// covered exactly once and nothing else but the token, only exc-c14n transforms, only
// SHA-256+ digests and RSA/RSA-PSS/ECDSA-SHA256+ signatures (an RSA-PSS-only key: PSS within its
// parameters), KeyInfo pointing at the token in the same header. Then the token's certificate is
// checked against the trust store (chain, CRLs; fit for TLS in the message's direction, or a
// signing certificate: digitalSignature/nonRepudiation with a document-signing extended key
// usage, G4's one purpose per certificate) and must carry the expected OIN, the Timestamp must be
// within the skew, and finally libxmlsec1 checks digests and signature with the token's public
// key, its reference URIs restricted to the same document and its transforms to the ones above.
#include <libxml/tree.h>
#include <openssl/x509_vfy.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/result.h"
#include "security/chain_verdicts.h"
#include "security/pki.h"

namespace edugate::security::wssec {

inline constexpr const char* kWsseNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr const char* kWsuNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr const char* kWsse11Ns = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
inline constexpr const char* kDsNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr const char* kX509v3 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
inline constexpr const char* kBase64Binary =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

// Once at start-up, after security::init_xml().
void init();

struct SignOptions {
  int ttl_seconds = 300;                          // Timestamp Expires = Created + ttl
  std::optional<std::string> confirm_signature;   // request's SignatureValue: adds SignatureConfirmation [WB014]
  std::int64_t now = 0;                           // unix seconds; 0: the clock
};

// The own certificate (first of the chain file) and key, ready to sign. Immutable; share it.
class Signer {
 public:
  // Throws std::runtime_error naming the file when the material is unusable.
  Signer(const std::string& certificate_chain_pem, const std::string& private_key_pem);
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // envelope: a SOAP 1.1 envelope with a soap:Header (the WS-A headers) and a soap:Body. Returns
  // the signed envelope. Errors are internal (code empty): our own envelopes are well-formed.
  Result<std::string> sign(std::string_view envelope, const SignOptions& options = {},
                           std::string* signature_value = nullptr) const;
  // The same, on a parsed envelope (changed in place); returns the new SignatureValue.
  Result<std::string> sign_document(xmlDoc* doc, const SignOptions& options = {}) const;

  const Oin& oin() const { return oin_; }
  // The SignatureMethod URI this key signs with (ecdsa-sha256, sha256-rsa-MGF1 or rsa-sha256).
  const std::string& signature_method() const { return signature_method_; }

 private:
  struct Key;
  std::unique_ptr<Key> key_;
  std::string cert_base64_;
  Oin oin_;
  std::string signature_method_;
};

struct VerifyPolicy {
  X509_STORE* trust = nullptr;           // anchors + CRLs + flags (the TLS context's store)
  STACK_OF(X509)* untrusted = nullptr;   // intermediates to build the chain (the peer's TLS chain)
  int purpose = 0;                       // X509_PURPOSE_SSL_CLIENT for requests, _SSL_SERVER for answers
  std::optional<Oin> expected_signer;    // the TLS identity of the peer
  int skew_seconds = 300;
  std::int64_t now = 0;                  // unix seconds; 0: the clock
  bool allow_confirmation = false;       // SignatureConfirmation may appear (responses)
  // Chains that verified, kept a minute (security/chain_verdicts.h); null: every chain verified.
  ChainVerdicts* chains = nullptr;
  std::uint64_t trust_generation = 0;    // of `trust` (a reload starts the verdicts afresh)
};

struct Verified {
  PeerIdentity signer;
  std::string signature_value;             // base64, whitespace removed
  std::vector<std::string> confirmations;  // SignatureConfirmation Values
};

// Whether the envelope carries a wsse:Security header (any count; verify() insists on one).
bool has_security_header(const xmlDoc* doc);

// Errors: EK0031 (missing, invalid, incomplete, weak algorithm, wrong signer, wrapping) or
// DK0011 (Timestamp outside the allowed skew), with the element in Error::field.
Result<Verified> verify(xmlDoc* doc, const VerifyPolicy& policy);

}  // namespace edugate::security::wssec
