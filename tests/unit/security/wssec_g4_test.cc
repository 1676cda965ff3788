// WS-Security with the PKIoverheid G4 generation of the example PKI (certs-example/README.md):
// RSA-PSS signatures (RFC 6931 sha256-rsa-MGF1, our libxmlsec1 transform), RSA-PSS-only keys,
// ECDSA, separate signing certificates, and chains whose CA signatures are all RSA-PSS, trusted
// beside G3. Each PSS signature is also checked without libxmlsec1: OpenSSL alone, on the
// exclusive canonical form of SignedInfo, so the transform cannot agree with itself only.
#include <gtest/gtest.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <string>

#include "security/tls_policy.h"
#include "security/wssec.h"
#include "security/xml_guard.h"
#include "security/xmldsig_rsa_pss.h"

using namespace edugate;
using namespace edugate::security;

namespace {

constexpr const char* kSbb = "00000003273785290000";
constexpr const char* kSchoolKvk = "00000003412345670000";  // 00000003 + KvK 41234567 + 0000

std::string pki(const std::string& f) { return std::string(EDUGATE_TEST_PKI_DIR) + "/" + f; }

std::string request_envelope(const std::string& from_oin = kSchoolKvk) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">"
         "<soap:Header><wsa:To>https://localhost:8443/leerbedrijf?oin=00000003273785290000</wsa:To>"
         "<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=" + from_oin + "</wsa:Address></wsa:From>"
         "<wsa:Action>urn:x:VerifieerErkenning</wsa:Action>"
         "<wsa:MessageID>urn:uuid:7c2e4d2f-3a1b-4d5f-8e64-1e0f9d8c7b62</wsa:MessageID></soap:Header>"
         "<soap:Body><lb:VerifieerErkenningRequest xmlns:lb=\"urn:x\"><lb:LeerbedrijfId>100000001</lb:LeerbedrijfId>"
         "</lb:VerifieerErkenningRequest></soap:Body></soap:Envelope>";
}

void add_certs(STACK_OF(X509)* to, const std::string& file) {
  FILE* f = std::fopen(file.c_str(), "r");
  ASSERT_NE(f, nullptr) << file;
  while (X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr)) sk_X509_push(to, c);
  std::fclose(f);
}

// A gateway in migration: anchors and CRLs of both generations; the peer's TLS intermediates.
struct Trust {
  std::shared_ptr<boost::asio::ssl::context> ctx;
  STACK_OF(X509)* intermediates = sk_X509_new_null();
  Trust(const std::string& anchors, const std::string& crls) {
    init_xml();
    wssec::init();
    add_certs(intermediates, pki("intermediates.pem"));
    add_certs(intermediates, pki("g4/intermediates.pem"));
    TlsSettings t;
    t.certificate = pki("sbb.chain.pem");
    t.private_key = pki("sbb.key.pem");
    t.trust_anchors = anchors;
    t.crls = {crls};
    ctx = make_server_context(t);
  }
  ~Trust() { sk_X509_pop_free(intermediates, X509_free); }
  Trust(const Trust&) = delete;
  Trust& operator=(const Trust&) = delete;
  wssec::VerifyPolicy request(const std::string& oin = kSchoolKvk) const {
    wssec::VerifyPolicy p;
    p.trust = SSL_CTX_get_cert_store(ctx->native_handle());
    p.untrusted = intermediates;
    p.purpose = X509_PURPOSE_SSL_CLIENT;
    p.expected_signer = *Oin::parse(oin);
    return p;
  }
  wssec::VerifyPolicy answer(const std::string& oin = kSbb) const {
    auto p = request(oin);
    p.purpose = X509_PURPOSE_SSL_SERVER;
    p.allow_confirmation = true;
    return p;
  }
};

const Trust& both() {
  static Trust t(pki("g4/trust-g3-and-g4.pem"), pki("g4/crls-g3-and-g4.pem"));
  return t;
}

std::string sign_as(const std::string& stem, const wssec::SignOptions& o = {}, const std::string& env = request_envelope()) {
  wssec::Signer s(pki(stem + ".chain.pem"), pki(stem + ".key.pem"));
  auto out = s.sign(env, o);
  EXPECT_TRUE(out) << out.error().message;
  return out ? *out : std::string();
}

Result<wssec::Verified> verify_text(const std::string& xml, const wssec::VerifyPolicy& p) {
  auto doc = parse_guarded(xml);
  if (!doc) return doc.error();
  return wssec::verify(doc->get(), p);
}

using DocPtr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;
DocPtr parse(const std::string& xml) {
  return DocPtr(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8", XML_PARSE_NONET), &xmlFreeDoc);
}
std::string dump(xmlDoc* d) {
  xmlChar* out = nullptr;
  int n = 0;
  xmlDocDumpMemoryEnc(d, &out, &n, "UTF-8");
  std::string s(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  xmlFree(out);
  return s;
}
xmlNode* find(xmlNode* n, const char* local) {
  if (n == nullptr) return nullptr;
  if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST local)) return n;
  for (xmlNode* c = n->children; c; c = c->next)
    if (xmlNode* f = find(c, local)) return f;
  return nullptr;
}
std::string content(xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return s;
}

int in_subtree(void* root, xmlNodePtr node, xmlNodePtr parent) {
  xmlNode* n = node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE ? parent : node;
  for (; n != nullptr; n = n->parent)
    if (n == root) return 1;
  return 0;
}
// Exclusive XML canonicalisation of ds:SignedInfo: the bytes the SignatureValue signs.
std::string canonical_signed_info(xmlDoc* d) {
  xmlNode* si = find(xmlDocGetRootElement(d), "SignedInfo");
  xmlOutputBufferPtr buf = xmlAllocOutputBuffer(nullptr);
  EXPECT_GE(xmlC14NExecute(d, in_subtree, si, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, buf), 0);
  std::string s(reinterpret_cast<const char*>(xmlOutputBufferGetContent(buf)), xmlOutputBufferGetSize(buf));
  xmlOutputBufferClose(buf);
  return s;
}

std::string unbase64(const std::string& in) {
  std::string s;
  for (char c : in)
    if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  std::string out(s.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n) - (s.ends_with("==") ? 2 : s.ends_with("=") ? 1 : 0));
  return out;
}
std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
PkeyPtr public_key_of(const std::string& stem) {
  FILE* f = std::fopen(pki(stem + ".cert.pem").c_str(), "r");
  X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  EVP_PKEY* k = X509_get_pubkey(c);
  X509_free(c);
  return PkeyPtr(k, &EVP_PKEY_free);
}
PkeyPtr private_key_of(const std::string& stem) {
  FILE* f = std::fopen(pki(stem + ".key.pem").c_str(), "r");
  EVP_PKEY* k = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return PkeyPtr(k, &EVP_PKEY_free);
}

// OpenSSL alone: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32, over the canonical SignedInfo.
bool openssl_verifies_pss(const std::string& xml, const std::string& stem) {
  auto d = parse(xml);
  const std::string signed_info = canonical_signed_info(d.get());
  const std::string sig = unbase64(content(find(xmlDocGetRootElement(d.get()), "SignatureValue")));
  auto key = public_key_of(stem);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(md.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1) return false;
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)
    return false;
  return EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(signed_info.data()), signed_info.size()) == 1;
}

// An attacker holding the key re-signs SignedInfo with another SignatureMethod and padding (and,
// for PSS, a salt length: `salt`; the default is OpenSSL's own).
std::string resign_signed_info(const std::string& xml, const std::string& stem, const char* method, int padding,
                               const EVP_MD* digest = EVP_sha256(), int salt = 0) {
  auto d = parse(xml);
  xmlNode* sm = find(xmlDocGetRootElement(d.get()), "SignatureMethod");
  xmlSetProp(sm, BAD_CAST "Algorithm", BAD_CAST method);
  const std::string signed_info = canonical_signed_info(d.get());
  auto key = private_key_of(stem);
  PkeyPtr usable(xmldsig_rsa_pss::rsa_encryption_twin(key.get(), true), &EVP_PKEY_free);  // PKCS#1 with a PSS key's numbers
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(md.get(), &pctx, digest, nullptr, usable.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, padding), 1);
  if (salt != 0) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest), 1);
  }
  size_t len = 0;
  EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(signed_info.data()), signed_info.size());
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(signed_info.data()), signed_info.size()),
            1);
  sig.resize(len);
  xmlNodeSetContent(find(xmlDocGetRootElement(d.get()), "SignatureValue"), BAD_CAST base64(sig).c_str());
  return dump(d.get());
}

void expect_refused(const Result<wssec::Verified>& r, const std::string& field = {}) {
  ASSERT_FALSE(r) << "accepted";
  EXPECT_EQ(r.error().code, "EK0031") << r.error().message;
  if (!field.empty()) {
    EXPECT_EQ(r.error().field, field) << r.error().message;
  }
}

}  // namespace

TEST(WsSecurityG4, AnRsaPssKeySignsWithRsaPssAndItVerifies) {
  wssec::Signer s(pki("g4/school-kvk-sign.chain.pem"), pki("g4/school-kvk-sign.key.pem"));
  EXPECT_EQ(s.signature_method(), xmldsig_rsa_pss::kSha256);
  EXPECT_EQ(s.oin().str(), kSchoolKvk);
  auto xml = sign_as("g4/school-kvk-sign");
  EXPECT_NE(xml.find(std::string("Algorithm=\"") + xmldsig_rsa_pss::kSha256 + "\""), std::string::npos);
  auto v = verify_text(xml, both().request());
  ASSERT_TRUE(v) << v.error().message << " " << v.error().field;
  EXPECT_EQ(v->signer.oin.str(), kSchoolKvk);
  EXPECT_TRUE(openssl_verifies_pss(xml, "g4/school-kvk-sign")) << "OpenSSL alone does not verify the PSS signature";
}

TEST(WsSecurityG4, AnRsaKeyWithAG4CertificateSignsWithRsaPss) {
  wssec::SignOptions o;
  o.confirm_signature = "c2lnbmF0dXJl";
  auto xml = sign_as("g4/sbb-sign", o);
  EXPECT_NE(xml.find(xmldsig_rsa_pss::kSha256), std::string::npos);
  auto v = verify_text(xml, both().answer());
  ASSERT_TRUE(v) << v.error().message << " " << v.error().field;
  EXPECT_EQ(v->confirmations.size(), 1u);
  EXPECT_TRUE(openssl_verifies_pss(xml, "g4/sbb-sign"));
  // G3 keeps PKCS#1 v1.5: its peers may not know PSS.
  EXPECT_EQ(wssec::Signer(pki("sbb.chain.pem"), pki("sbb.key.pem")).signature_method(),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
}

TEST(WsSecurityG4, APssSignedBodyThatWasChangedIsRefused) {
  auto xml = sign_as("g4/school-kvk-sign");
  auto tampered = xml;
  tampered.replace(tampered.find("100000001"), 9, "100000002");
  expect_refused(verify_text(tampered, both().request()), "ds:Signature");
}

TEST(WsSecurityG4, APssSignatureValueThatWasChangedIsRefused) {
  auto d = parse(sign_as("g4/school-kvk-sign"));
  xmlNode* sv = find(xmlDocGetRootElement(d.get()), "SignatureValue");
  std::string raw = unbase64(content(sv));
  raw[raw.size() / 2] ^= 0x01;
  xmlNodeSetContent(sv, BAD_CAST base64(raw).c_str());
  auto r = verify_text(dump(d.get()), both().request());
  expect_refused(r, "ds:Signature");
  // And a PSS signature of a SignedInfo with another salt length does not pass either.
  auto other_salt = resign_signed_info(sign_as("g4/sbb-sign"), "g4/sbb-sign", xmldsig_rsa_pss::kSha256, RSA_PKCS1_PSS_PADDING);
  expect_refused(verify_text(other_salt, both().answer()));  // OpenSSL's default PSS salt is the maximum, not 32
}

TEST(WsSecurityG4, AnRsaPssOnlyKeyCannotBeUsedForPkcs1Signatures) {
  // Mathematically valid PKCS#1 v1.5 under the PSS key's numbers: the key may not make it.
  auto forged = resign_signed_info(sign_as("g4/school-kvk-sign"), "g4/school-kvk-sign",
                                   "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", RSA_PKCS1_PADDING);
  expect_refused(verify_text(forged, both().request()), "ds:SignatureMethod");
  // An rsaEncryption key may make both: the same forgery with sbb-sign's key verifies.
  auto pkcs1 = resign_signed_info(sign_as("g4/sbb-sign"), "g4/sbb-sign", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                                  RSA_PKCS1_PADDING);
  EXPECT_TRUE(verify_text(pkcs1, both().answer()));
}

TEST(WsSecurityG4, AnEcdsaG4SigningCertificateSignsAndVerifies) {
  auto xml = sign_as("g4/school-kvk-ec-sign");
  EXPECT_NE(xml.find("ecdsa-sha256"), std::string::npos);
  auto v = verify_text(xml, both().request());
  ASSERT_TRUE(v) << v.error().message << " " << v.error().field;
  auto tampered = xml;
  tampered.replace(tampered.find("100000001"), 9, "100000002");
  expect_refused(verify_text(tampered, both().request()), "ds:Signature");
}

TEST(WsSecurityG4, AG4SignerIsRefusedWhereOnlyG3IsTrusted) {
  Trust g3(pki("trust.pem"), pki("crls.pem"));
  auto r = verify_text(sign_as("g4/school-kvk-sign"), g3.request());
  expect_refused(r, "wsse:BinarySecurityToken");
  // And G3 signers still verify under both generations.
  auto g3_signed = sign_as("school-25be", {}, request_envelope("0000000700025BE00000"));
  EXPECT_TRUE(verify_text(g3_signed, both().request("0000000700025BE00000")));
}

TEST(WsSecurityG4, ASignerNeedsASigningCertificateOrOneFitForTheDirection) {
  // A client authentication certificate (clientAuth only) may sign a request, not an answer.
  auto xml = sign_as("g4/school-kvk-auth");
  EXPECT_TRUE(verify_text(xml, both().request()));
  auto as_answer = both().answer(kSchoolKvk);
  expect_refused(verify_text(xml, as_answer), "wsse:BinarySecurityToken");
  // A signing certificate signs both (its purpose is signing, whatever the direction).
  EXPECT_TRUE(verify_text(sign_as("g4/sbb-sign"), both().answer()));
  EXPECT_TRUE(verify_text(sign_as("g4/sbb-sign"), both().request(kSbb)));
}

TEST(WsSecurityG4, Sha384AndSha512RsaPssVerifyWithTheirOwnDigestAndSaltOnly) {
  // Signed by OpenSSL directly (not by our transform): RFC 6931's parameters for each digest.
  auto xml = sign_as("g4/sbb-sign");
  EXPECT_TRUE(verify_text(resign_signed_info(xml, "g4/sbb-sign", xmldsig_rsa_pss::kSha384, RSA_PKCS1_PSS_PADDING, EVP_sha384(), 48),
                          both().answer()));
  EXPECT_TRUE(verify_text(resign_signed_info(xml, "g4/sbb-sign", xmldsig_rsa_pss::kSha512, RSA_PKCS1_PSS_PADDING, EVP_sha512(), 64),
                          both().answer()));
  // The right digest but a salt of another length; the URI of one digest over another's signature.
  expect_refused(verify_text(
      resign_signed_info(xml, "g4/sbb-sign", xmldsig_rsa_pss::kSha512, RSA_PKCS1_PSS_PADDING, EVP_sha512(), 32), both().answer()));
  expect_refused(verify_text(
      resign_signed_info(xml, "g4/sbb-sign", xmldsig_rsa_pss::kSha512, RSA_PKCS1_PSS_PADDING, EVP_sha256(), 32), both().answer()));
  // An RSA-PSS key restricted to SHA-256 (g4/school-kvk-sign) may not make a SHA-512 one.
  auto pss_key = sign_as("g4/school-kvk-sign");
  expect_refused(verify_text(resign_signed_info(pss_key, "g4/school-kvk-sign", xmldsig_rsa_pss::kSha512, RSA_PKCS1_PSS_PADDING,
                                                EVP_sha512(), 64),
                             both().request()),
                 "ds:SignatureMethod");
}
