// WS-Security 2W-be-S (edukoppeling.md §4): signing, verifying, and each wrapping or signature
// attack of issue 6 as a crafted message that must be refused.
#include "security/wssec.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <ctime>
#include <fstream>
#include <functional>

#include "security/tls_policy.h"
#include "security/xml_guard.h"

using namespace edugate;
using namespace edugate::security;

namespace {

std::string pki(const std::string& f) { return std::string(EDUGATE_TEST_PKI_DIR) + "/" + f; }


std::string request_envelope(const std::string& body = "<lb:VerifieerErkenningRequest xmlns:lb=\"urn:x\"><lb:LeerbedrijfId>100000001</lb:LeerbedrijfId></lb:VerifieerErkenningRequest>") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">"
         "<soap:Header><wsa:To>https://localhost:8443/leerbedrijf?oin=00000003273785290000</wsa:To>"
         "<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000</wsa:Address></wsa:From>"
         "<wsa:Action>urn:x:VerifieerErkenning</wsa:Action>"
         "<wsa:MessageID>urn:uuid:6b1d3c1e-2f0a-4c4e-9d53-0d9e8c7b6a51</wsa:MessageID></soap:Header>"
         "<soap:Body>" + body + "</soap:Body></soap:Envelope>";
}

struct Fixture {
  std::shared_ptr<boost::asio::ssl::context> server;
  STACK_OF(X509)* intermediates = sk_X509_new_null();
  Fixture() {
    init_xml();
    wssec::init();
    // The intermediates a peer sends in its TLS chain.
    FILE* f = std::fopen(pki("intermediates.pem").c_str(), "r");
    while (X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr)) sk_X509_push(intermediates, c);
    std::fclose(f);
    TlsSettings t;
    t.certificate = pki("sbb.chain.pem");
    t.private_key = pki("sbb.key.pem");
    t.trust_anchors = pki("trust.pem");
    t.crls = {pki("crls.pem")};
    server = make_server_context(t);
  }
  wssec::VerifyPolicy policy(const std::string& oin = "0000000700025BE00000") const {
    wssec::VerifyPolicy p;
    p.trust = SSL_CTX_get_cert_store(server->native_handle());
    p.untrusted = intermediates;
    p.purpose = X509_PURPOSE_SSL_CLIENT;
    p.expected_signer = *Oin::parse(oin);
    return p;
  }
};

Fixture& fx() {
  static Fixture f;
  return f;
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

// Parses, lets f change the DOM, serializes.
std::string tamper(const std::string& xml, const std::function<void(xmlDoc*, xmlNode* env, xmlNode* header, xmlNode* body)>& f) {
  xmlDoc* d = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8", XML_PARSE_NONET);
  xmlNode* env = xmlDocGetRootElement(d);
  xmlNode* header = xmlFirstElementChild(env);
  xmlNode* body = xmlNextElementSibling(header);
  f(d, env, header, body);
  xmlChar* out = nullptr;
  int n = 0;
  xmlDocDumpMemoryEnc(d, &out, &n, "UTF-8");
  std::string s(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  xmlFree(out);
  xmlFreeDoc(d);
  return s;
}

xmlNode* child(xmlNode* n, const char* local) {
  for (xmlNode* c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c))
    if (xmlStrEqual(c->name, BAD_CAST local)) return c;
  return nullptr;
}
xmlNode* security_of(xmlNode* header) { return child(header, "Security"); }

// Replaces the ds:Signature of a signed message by a new one over `uris`, with the given digest
// and an extra transform, signed with the stem's key: the attacker controls the whole signature.
std::string resign(const std::string& xml, const std::string& stem, const std::vector<std::string>& uris,
                   xmlSecTransformId digest, xmlSecTransformId extra_transform = nullptr,
                   xmlSecTransformId sign_method = xmlSecTransformRsaSha256Id) {
  return tamper(xml, [&](xmlDoc* d, xmlNode*, xmlNode* header, xmlNode*) {
    xmlNode* sec = security_of(header);
    xmlNode* old = child(sec, "Signature");
    std::string bst_id;
    for (xmlAttr* a = child(sec, "BinarySecurityToken")->properties; a; a = a->next)
      if (xmlStrEqual(a->name, BAD_CAST "Id")) bst_id = reinterpret_cast<const char*>(a->children->content);
    xmlUnlinkNode(old);
    xmlFreeNode(old);
    // Register the wsu:Ids again so that xmlsec resolves them while signing.
    std::vector<xmlNode*> stack{xmlDocGetRootElement(d)};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      for (xmlAttr* a = n->properties; a; a = a->next)
        if (xmlStrEqual(a->name, BAD_CAST "Id") && a->ns) xmlAddID(nullptr, d, a->children->content, a);
      for (xmlNode* c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) stack.push_back(c);
    }
    xmlNode* sig = xmlSecTmplSignatureCreateNsPref(d, xmlSecTransformExclC14NId, sign_method, nullptr, BAD_CAST "ds");
    xmlAddChild(sec, sig);
    for (const auto& u : uris) {
      xmlNode* ref = xmlSecTmplSignatureAddReference(sig, digest, nullptr, BAD_CAST u.c_str(), nullptr);
      if (extra_transform) xmlSecTmplReferenceAddTransform(ref, extra_transform);
      xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId);
    }
    xmlNode* ki = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
    xmlNs* wsse = xmlSearchNsByHref(d, sec, BAD_CAST wssec::kWsseNs);
    xmlNode* str = xmlNewChild(ki, wsse, BAD_CAST "SecurityTokenReference", nullptr);
    xmlNode* r = xmlNewChild(str, wsse, BAD_CAST "Reference", nullptr);
    xmlSetProp(r, BAD_CAST "URI", BAD_CAST ("#" + bst_id).c_str());
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(nullptr);
    ctx->signKey = xmlSecCryptoAppKeyLoad(pki(stem + ".key.pem").c_str(), xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
    int rc = xmlSecDSigCtxSign(ctx, sig);
    xmlSecDSigCtxDestroy(ctx);
    ASSERT_EQ(rc, 0) << "test signer failed";
  });
}

// The wsu:Ids of the signed parts, by element name.
std::map<std::string, std::string> ids_of(const std::string& xml) {
  std::map<std::string, std::string> out;
  tamper(xml, [&](xmlDoc*, xmlNode* env, xmlNode*, xmlNode*) {
    std::vector<xmlNode*> stack{env};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      for (xmlAttr* a = n->properties; a; a = a->next)
        if (xmlStrEqual(a->name, BAD_CAST "Id") && a->ns) out[reinterpret_cast<const char*>(n->name)] = std::string("#") + reinterpret_cast<const char*>(a->children->content);
      for (xmlNode* c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) stack.push_back(c);
    }
  });
  return out;
}
std::vector<std::string> all_parts(const std::string& xml) {
  auto ids = ids_of(xml);
  return {ids["Body"], ids["Timestamp"], ids["BinarySecurityToken"], ids["To"], ids["From"], ids["Action"], ids["MessageID"]};
}

void expect_refused(const Result<wssec::Verified>& r, const std::string& code = "EK0031") {
  ASSERT_FALSE(r) << "accepted";
  EXPECT_EQ(r.error().code, code) << r.error().message;
}

}  // namespace

TEST(WsSecurity, SignedRequestVerifiesAndNamesTheSigner) {
  auto signed_xml = sign_as("school-25be");
  auto v = verify_text(signed_xml, fx().policy());
  ASSERT_TRUE(v) << v.error().message << " " << v.error().field;
  EXPECT_EQ(v->signer.oin.str(), "0000000700025BE00000");
  EXPECT_FALSE(v->signature_value.empty());
  EXPECT_NE(signed_xml.find("exc-c14n"), std::string::npos);
  EXPECT_NE(signed_xml.find("xmlenc#sha256"), std::string::npos);
  EXPECT_NE(signed_xml.find("rsa-sha256"), std::string::npos);
}

TEST(WsSecurity, WB004_BodyTimestampEveryWsaHeaderAndTokenEachHaveTheirOwnReference) {
  auto signed_xml = sign_as("school-25be");
  auto ids = ids_of(signed_xml);
  for (const char* part : {"Body", "Timestamp", "BinarySecurityToken", "To", "From", "Action", "MessageID"}) {
    ASSERT_TRUE(ids.contains(part)) << part;
    EXPECT_NE(signed_xml.find("URI=\"" + ids[part] + "\""), std::string::npos) << part;
  }
}

TEST(WsSecurity, EcdsaSignatureVerifies) {
  auto signed_xml = sign_as("school-25be-ec");
  EXPECT_NE(signed_xml.find("ecdsa-sha256"), std::string::npos);
  auto v = verify_text(signed_xml, fx().policy());
  ASSERT_TRUE(v) << v.error().message;
}

TEST(WsSecurity, WB014_ResponseCarriesSignatureConfirmation) {
  wssec::SignOptions o;
  o.confirm_signature = "c2lnbmF0dXJl";
  auto signed_xml = sign_as("sbb", o);
  auto p = fx().policy("00000003273785290000");
  p.purpose = X509_PURPOSE_SSL_SERVER;
  p.allow_confirmation = true;
  auto v = verify_text(signed_xml, p);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_EQ(v->confirmations.size(), 1u);
  EXPECT_EQ(v->confirmations[0], "c2lnbmF0dXJl");
  // A request may not carry one.
  expect_refused(verify_text(signed_xml, fx().policy("00000003273785290000")));
}

TEST(WsSecurity, EK0031_UnsignedMessageIsRefused) {
  expect_refused(verify_text(request_envelope(), fx().policy()));
}

TEST(WsSecurity, EK0031_ChangedBodyBreaksTheDigest) {
  auto signed_xml = sign_as("school-25be");
  auto pos = signed_xml.find("100000001");
  signed_xml.replace(pos, 9, "100000002");
  expect_refused(verify_text(signed_xml, fx().policy()));
}

TEST(WsSecurity, Attack_BodyMovedIntoWrapperWithSignedCopyElsewhere) {
  auto signed_xml = sign_as("school-25be");
  // The signed Body goes into ds:Object inside the Signature; a new, unsigned Body takes its place.
  auto attacked = tamper(signed_xml, [](xmlDoc* d, xmlNode* env, xmlNode* header, xmlNode* body) {
    xmlNode* sig = child(security_of(header), "Signature");
    xmlNode* object = xmlNewChild(sig, sig->ns, BAD_CAST "Object", nullptr);
    xmlUnlinkNode(body);
    xmlAddChild(object, body);
    xmlNode* evil = xmlNewDocNode(d, env->ns, BAD_CAST "Body", nullptr);
    xmlNode* req = xmlNewChild(evil, nullptr, BAD_CAST "VerifieerErkenningRequest", nullptr);
    xmlNewChild(req, nullptr, BAD_CAST "LeerbedrijfId", BAD_CAST "100000002");
    xmlAddChild(env, evil);
  });
  expect_refused(verify_text(attacked, fx().policy()));
  // The same with the signed Body hidden in a wrapper header and the new Body keeping no Id.
  auto wrapped = tamper(signed_xml, [](xmlDoc* d, xmlNode* env, xmlNode* header, xmlNode* body) {
    xmlNode* wrapper = xmlNewChild(security_of(header), nullptr, BAD_CAST "Wrapper", nullptr);
    xmlNode* copy = xmlDocCopyNode(body, d, 1);
    xmlAddChild(wrapper, copy);
    xmlUnsetNsProp(body, xmlSearchNsByHref(d, env, BAD_CAST wssec::kWsuNs), BAD_CAST "Id");
  });
  expect_refused(verify_text(wrapped, fx().policy()));
  // The signed Body nested inside the payload of a new Body: every Id still resolves and every
  // digest still matches, only node identity tells that the signed Body is not *the* Body.
  auto nested = tamper(signed_xml, [](xmlDoc* d, xmlNode* env, xmlNode*, xmlNode* body) {
    xmlNode* evil = xmlNewDocNode(d, env->ns, BAD_CAST "Body", nullptr);
    xmlNode* req = xmlNewChild(evil, nullptr, BAD_CAST "VerifieerErkenningRequest", nullptr);
    xmlUnlinkNode(body);
    xmlAddChild(env, evil);
    xmlAddChild(req, body);
  });
  auto r = verify_text(nested, fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "soap:Body");
}

TEST(WsSecurity, Attack_DuplicateWsuIds) {
  auto signed_xml = sign_as("school-25be");
  auto body_id = ids_of(signed_xml)["Body"].substr(1);
  // A second element with the Body's Id: whichever a resolver picks, the message is refused.
  auto attacked = tamper(signed_xml, [&](xmlDoc* d, xmlNode* env, xmlNode* header, xmlNode* body) {
    xmlNode* copy = xmlDocCopyNode(body, d, 1);
    xmlNodeSetName(copy, BAD_CAST "Kopie");
    xmlAddChild(child(header, "To"), copy);
    (void)env;
  });
  auto r = verify_text(attacked, fx().policy());
  expect_refused(r);
  EXPECT_NE(r.error().message.find(body_id), std::string::npos) << r.error().message;
}

TEST(WsSecurity, Attack_SignatureCoversHeaderButNotBody) {
  auto signed_xml = sign_as("school-25be");
  auto parts = all_parts(signed_xml);
  parts.erase(parts.begin());  // no Body
  auto attacked = resign(signed_xml, "school-25be", parts, xmlSecTransformSha256Id);
  auto r = verify_text(attacked, fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "soap:Body");
}

TEST(WsSecurity, Attack_WsaHeaderNotCovered) {
  auto signed_xml = sign_as("school-25be");
  auto parts = all_parts(signed_xml);
  parts.pop_back();  // no MessageID
  auto r = verify_text(resign(signed_xml, "school-25be", parts, xmlSecTransformSha256Id), fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "wsa:MessageID");
}

TEST(WsSecurity, Attack_SecondSecurityHeader) {
  auto signed_xml = sign_as("school-25be");
  auto attacked = tamper(signed_xml, [](xmlDoc* d, xmlNode*, xmlNode* header, xmlNode*) {
    xmlNode* copy = xmlDocCopyNode(security_of(header), d, 1);
    xmlAddChild(header, copy);
  });
  expect_refused(verify_text(attacked, fx().policy()));
}

TEST(WsSecurity, Attack_ReferenceToExternalUri) {
  auto signed_xml = sign_as("school-25be");
  auto parts = all_parts(signed_xml);
  parts.push_back("http://127.0.0.1:1/evil.xml");
  // xmlsec cannot even sign it offline; put the URI into a valid signature's reference instead.
  auto attacked = signed_xml;
  auto pos = attacked.find("URI=\"" + parts[1] + "\"");
  ASSERT_NE(pos, std::string::npos);
  attacked.replace(pos, 5 + parts[1].size() + 1, "URI=\"http://127.0.0.1:1/evil.xml\"");
  auto r = verify_text(attacked, fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "ds:Reference");
  // An XPointer expression is no plain Id either.
  attacked = signed_xml;
  attacked.replace(pos, 5 + parts[1].size() + 1, "URI=\"#xpointer(/)\"");
  expect_refused(verify_text(attacked, fx().policy()));
}

TEST(WsSecurity, Attack_XPathAndXsltTransforms) {
  auto signed_xml = sign_as("school-25be");
  auto parts = all_parts(signed_xml);
  auto insert_transform = [&](const std::string& transform) {
    auto out = signed_xml;
    auto pos = out.find("<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>");
    EXPECT_NE(pos, std::string::npos);
    out.insert(pos, transform);
    return out;
  };
  auto r = verify_text(insert_transform("<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">"
                                        "<ds:XPath>not(ancestor-or-self::soap:Body)</ds:XPath></ds:Transform>"),
                       fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "ds:Transform");
  auto enveloped = resign(signed_xml, "school-25be", parts, xmlSecTransformSha256Id, xmlSecTransformEnvelopedId);
  expect_refused(verify_text(enveloped, fx().policy()));
  // XSLT: the transform element as an attacker would write it.
  r = verify_text(insert_transform("<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">"
                                   "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\"/>"
                                   "</ds:Transform>"),
                  fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "ds:Transform");
}

TEST(WsSecurity, Attack_Sha1Digest) {
  auto signed_xml = sign_as("school-25be");
  auto r = verify_text(resign(signed_xml, "school-25be", all_parts(signed_xml), xmlSecTransformSha1Id), fx().policy());
  expect_refused(r);
  EXPECT_NE(r.error().message.find("SHA-1"), std::string::npos);
  r = verify_text(resign(signed_xml, "school-25be", all_parts(signed_xml), xmlSecTransformSha256Id, nullptr,
                         xmlSecTransformRsaSha1Id),
                  fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "ds:SignatureMethod");
}

TEST(WsSecurity, Attack_KeyInfoPointingAtAnotherToken) {
  auto signed_xml = sign_as("school-25be");
  auto ts_id = ids_of(signed_xml)["Timestamp"];
  auto bst_id = ids_of(signed_xml)["BinarySecurityToken"];
  auto attacked = signed_xml;
  auto pos = attacked.rfind("URI=\"" + bst_id + "\"");  // the one in KeyInfo comes last
  attacked.replace(pos, 5 + bst_id.size() + 1, "URI=\"" + ts_id + "\"");
  auto r = verify_text(attacked, fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "wsse:Reference");
}

TEST(WsSecurity, Attack_ValidSignatureFromAnotherPartysCertificate) {
  // Signed correctly by the vendor, but the TLS identity is the school.
  auto r = verify_text(sign_as("vendor"), fx().policy());
  expect_refused(r);
  EXPECT_EQ(r.error().field, "wsse:BinarySecurityToken");
}

TEST(WsSecurity, Attack_SignerCertificateRevokedOrUntrusted) {
  expect_refused(verify_text(sign_as("revoked"), fx().policy("0000000700031ZZ00000")));
  expect_refused(verify_text(sign_as("untrusted"), fx().policy("0000000700035VV00000")));
  expect_refused(verify_text(sign_as("stalecrl"), fx().policy("0000000700036UU00000")));
}

TEST(WsSecurity, Attack_ReplayAfterTheSkewWindow) {
  wssec::SignOptions o;
  o.now = static_cast<std::int64_t>(std::time(nullptr)) - 3600;
  o.ttl_seconds = 7200;  // even a long Expires does not help: Created is too old
  auto r = verify_text(sign_as("school-25be", o), fx().policy());
  expect_refused(r, "DK0011");
  EXPECT_EQ(r.error().field, "wsu:Created");
  // Created in the future beyond the skew, too.
  o.now = static_cast<std::int64_t>(std::time(nullptr)) + 3600;
  expect_refused(verify_text(sign_as("school-25be", o), fx().policy()), "DK0011");
}

TEST(WsSecurity, Attack_TokenWithGarbage) {
  auto signed_xml = sign_as("school-25be");
  auto start = signed_xml.find("ValueType=\"" + std::string(wssec::kX509v3) + "\"");
  ASSERT_NE(start, std::string::npos);
  auto open_end = signed_xml.find('>', start);
  auto close = signed_xml.find("</wsse:BinarySecurityToken>", open_end);
  auto attacked = signed_xml;
  attacked.replace(open_end + 1, close - open_end - 1, "AAAA");
  expect_refused(verify_text(attacked, fx().policy()));
}

// The fuzz_wssec seeds must stay valid signatures, or the fuzzer never reaches the cryptography.
TEST(WsSecurity, FuzzSeedsAreValidSignatures) {
  const std::string dir = std::string(EDUGATE_SOURCE_DIR) + "/tests/fuzz/";
  X509_STORE* store = X509_STORE_new();
  FILE* f = std::fopen((dir + "wssec-fixture/ca.pem").c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* ca = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  X509_STORE_add_cert(store, ca);
  X509_free(ca);
  for (const char* seed : {"00-signed-request.xml", "01-signed-response.xml"}) {
    std::ifstream in(dir + "corpus/wssec/" + seed);
    std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    wssec::VerifyPolicy p;
    p.trust = store;
    p.expected_signer = *Oin::parse("0000000700025BE00000");
    p.now = 1800000000;
    p.allow_confirmation = std::string(seed).find("response") != std::string::npos;
    auto v = verify_text(xml, p);
    EXPECT_TRUE(v) << seed << ": " << v.error().message;
  }
  X509_STORE_free(store);
}

// Chains that verified are remembered (security/chain_verdicts.h): the same signer's next message
// skips X509_verify_cert; a refused chain is never remembered; a trust generation of its own (a
// reload of anchors or CRLs) and other intermediates are other keys.
TEST(WsSecurity, AChainThatVerifiedIsRememberedAndOnlyThat) {
  wssec::ChainVerdicts chains;
  auto p = fx().policy();
  p.chains = &chains;
  p.trust_generation = 7;
  ASSERT_TRUE(verify_text(sign_as("school-25be"), p));
  EXPECT_EQ(chains.size(), 1u);
  ASSERT_TRUE(verify_text(sign_as("school-25be"), p));
  EXPECT_EQ(chains.size(), 1u) << "the same chain, the same verdict";

  // Refusals leave nothing behind, also when the signer is otherwise right.
  auto revoked = fx().policy("0000000700031ZZ00000");
  revoked.chains = &chains;
  revoked.trust_generation = 7;
  expect_refused(verify_text(sign_as("revoked"), revoked));
  expect_refused(verify_text(sign_as("revoked"), revoked));
  EXPECT_EQ(chains.size(), 1u);

  // The key: everything the verdict rests on.
  FILE* f = std::fopen(pki("school-25be.cert.pem").c_str(), "r");
  X509* leaf = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  const auto k = wssec::ChainVerdicts::key(X509_PURPOSE_SSL_CLIENT, 7, leaf, fx().intermediates);
  EXPECT_TRUE(chains.verified(k, std::time(nullptr)));
  EXPECT_FALSE(chains.verified(wssec::ChainVerdicts::key(X509_PURPOSE_SSL_CLIENT, 8, leaf, fx().intermediates),
                               std::time(nullptr)))
      << "a reload of the trust starts afresh";
  EXPECT_FALSE(chains.verified(wssec::ChainVerdicts::key(X509_PURPOSE_SSL_SERVER, 7, leaf, fx().intermediates),
                               std::time(nullptr)));
  EXPECT_FALSE(chains.verified(wssec::ChainVerdicts::key(X509_PURPOSE_SSL_CLIENT, 7, leaf, nullptr), std::time(nullptr)));
  // A minute at most.
  EXPECT_TRUE(chains.verified(k, std::time(nullptr) + wssec::ChainVerdicts::kTtlSeconds - 2));
  EXPECT_FALSE(chains.verified(k, std::time(nullptr) + wssec::ChainVerdicts::kTtlSeconds + 1));
  X509_free(leaf);
}

TEST(WsSecurity, AVerdictNeverOutlivesTheCertificate) {
  wssec::ChainVerdicts chains;
  FILE* f = std::fopen(pki("school-25be.cert.pem").c_str(), "r");
  X509* leaf = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  X509* soon = X509_dup(leaf);
  X509_gmtime_adj(X509_getm_notAfter(soon), 10);  // runs out in 10 s (the signature no longer matters here)
  const auto k = wssec::ChainVerdicts::key(X509_PURPOSE_SSL_CLIENT, 1, soon, nullptr);
  const std::int64_t now = std::time(nullptr);
  chains.remember(k, soon, now);
  EXPECT_TRUE(chains.verified(k, now + 5));
  EXPECT_FALSE(chains.verified(k, now + 11)) << "not past notAfter";
  X509_gmtime_adj(X509_getm_notAfter(soon), -10);
  const auto gone = wssec::ChainVerdicts::key(X509_PURPOSE_SSL_CLIENT, 2, soon, nullptr);
  chains.remember(gone, soon, now);
  EXPECT_FALSE(chains.verified(gone, now)) << "an expired certificate is not remembered";
  X509_free(soon);
  X509_free(leaf);
}
