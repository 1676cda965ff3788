#pragma once
// RSA-PSS signatures in XML Signature (RFC 6931 §2.3.10: "sha256-rsa-MGF1" and its SHA-384 and
// SHA-512 siblings), as libxmlsec1 transforms. PKIoverheid G4 certificates are signed with
// RSA-PSS and may carry RSA-PSS-only keys; libxmlsec1 1.2 (Debian 12) knows no PSS transform
// (1.3 does), so these are ours, built on OpenSSL's EVP: PSS padding, MGF1 with the signature's
// digest, a salt as long as that digest (the parameters RFC 6931 fixes when SignatureMethod
// carries none, and the only ones accepted here).
//
// libxmlsec1 1.2 cannot load an RSA-PSS (id-RSASSA-PSS) key either: rsa_encryption_twin() gives
// the same key as an rsaEncryption key, which xmlsec adopts; callers that hold a PSS-only key
// must use it with these transforms only (wssec.cc does).
#include <openssl/evp.h>
#include <xmlsec/transforms.h>

namespace edugate::security::xmldsig_rsa_pss {

inline constexpr const char* kSha256 = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1";
inline constexpr const char* kSha384 = "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1";
inline constexpr const char* kSha512 = "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1";

xmlSecTransformId sha256();
xmlSecTransformId sha384();
xmlSecTransformId sha512();

// Registers the three with libxmlsec1 (after xmlSecCryptoInit); returns false on failure.
bool register_transforms();

// The digest a PSS SignatureMethod URI names (nullptr: not one of ours).
const EVP_MD* digest_of(const char* signature_method_uri);

// A new rsaEncryption EVP_PKEY with the numbers of `key` (an RSA or RSA-PSS key; public only, or
// with the private part when `with_private`); nullptr on failure. The caller owns it.
EVP_PKEY* rsa_encryption_twin(EVP_PKEY* key, bool with_private);

}  // namespace edugate::security::xmldsig_rsa_pss
