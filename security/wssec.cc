#include "security/wssec.h"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/rules.h"
#include "security/xmldsig_rsa_pss.h"

namespace edugate::security::wssec {
namespace {

constexpr const char* kSoap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kWsaNs = "http://www.w3.org/2005/08/addressing";
constexpr const char* kXmlNs = "http://www.w3.org/XML/1998/namespace";
constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";

void quiet_errors(const char*, int, const char*, const char*, const char*, int, const char*) {}

bool is(const xmlNode* n, const char* ns, const char* local) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr && n->ns->href != nullptr &&
         xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST local);
}
bool in_ns(const xmlNode* n, const char* ns) {
  return n != nullptr && n->ns != nullptr && n->ns->href != nullptr && xmlStrEqual(n->ns->href, BAD_CAST ns);
}
std::string name_of(const xmlNode* n) {
  std::string s;
  if (n->ns && n->ns->prefix) s = std::string(reinterpret_cast<const char*>(n->ns->prefix)) + ":";
  return s + reinterpret_cast<const char*>(n->name);
}
std::string attr(const xmlNode* n, const char* name, const char* ns = nullptr) {
  xmlChar* v = ns ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST ns) : xmlGetNoNsProp(n, BAD_CAST name);
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}
bool has_attr(const xmlNode* n, const char* name, const char* ns = nullptr) {
  return (ns ? xmlHasNsProp(n, BAD_CAST name, BAD_CAST ns) : xmlHasNsProp(n, BAD_CAST name, nullptr)) != nullptr;
}
std::string text(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return s;
}
std::string strip_ws(std::string s) {
  std::erase_if(s, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  return s;
}
std::vector<xmlNode*> element_children(xmlNode* n) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  return out;
}

Error bad(std::string message, std::string field) { return make_error(rules::EK0031, std::move(message), std::move(field)); }

std::int64_t clock_now(std::int64_t now) {
  return now != 0 ? now : static_cast<std::int64_t>(std::time(nullptr));
}

std::string format_time(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// xsd:dateTime in UTC ("Z" or "+00:00"), fractional seconds allowed. Nothing else.
std::optional<std::int64_t> parse_time(std::string s) {
  s = strip_ws(std::move(s));
  int y, mo, d, h, mi, se, used = 0;
  if (s.size() < 20 || std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &used) != 6 ||
      used != 19)
    return std::nullopt;
  std::string rest = s.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    if (i == 1) return std::nullopt;
    rest = rest.substr(i);
  }
  if (rest != "Z" && rest != "+00:00") return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<std::int64_t>(timegm(&tm));
}

struct EnvelopeParts {
  xmlNode* envelope = nullptr;
  xmlNode* header = nullptr;
  xmlNode* body = nullptr;
};
EnvelopeParts parts_of(const xmlDoc* doc) {
  EnvelopeParts p;
  p.envelope = xmlDocGetRootElement(doc);
  if (!is(p.envelope, kSoap11Ns, "Envelope")) return {};
  for (xmlNode* c : element_children(p.envelope)) {
    if (is(c, kSoap11Ns, "Header") && !p.header) p.header = c;
    else if (is(c, kSoap11Ns, "Body") && !p.body) p.body = c;
  }
  return p;
}

// Every Id-like attribute in the document must be unique, whatever its name; wsu:Id values are
// registered as XML IDs so that libxmlsec1 resolves "#id" to exactly the element we checked.
Result<std::map<std::string, xmlNode*>> collect_ids(xmlDoc* doc) {
  std::map<std::string, xmlNode*> wsu;
  std::set<std::string> seen;
  std::vector<xmlNode*> stack{xmlDocGetRootElement(doc)};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    for (xmlAttr* a = n->properties; a; a = a->next) {
      std::string_view local = reinterpret_cast<const char*>(a->name);
      bool wsu_id = a->ns && xmlStrEqual(a->ns->href, BAD_CAST kWsuNs) && local == "Id";
      bool xml_id = a->ns && xmlStrEqual(a->ns->href, BAD_CAST kXmlNs) && local == "id";
      if (!wsu_id && !xml_id && local != "Id" && local != "ID" && local != "id") continue;
      xmlChar* v = xmlNodeListGetString(doc, a->children, 1);
      std::string value = v ? reinterpret_cast<const char*>(v) : "";
      xmlFree(v);
      if (!seen.insert(value).second)
        return bad("Id '" + value + "' komt meer dan eens voor in het bericht (signature wrapping)", name_of(n));
      if (wsu_id) wsu[value] = n;
    }
    for (xmlNode* c = n->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE) stack.push_back(c);
  }
  for (auto& [value, node] : wsu) {
    xmlAttr* a = xmlHasNsProp(node, BAD_CAST "Id", BAD_CAST kWsuNs);
    if (xmlGetID(doc, BAD_CAST value.c_str()) == nullptr) xmlAddID(nullptr, doc, BAD_CAST value.c_str(), a);
  }
  return wsu;
}

bool weak_algorithm(std::string_view uri) {
  return uri.find("sha1") != std::string_view::npos || uri.find("md5") != std::string_view::npos;
}
bool allowed_digest(std::string_view uri) {
  return uri == "http://www.w3.org/2001/04/xmlenc#sha256" || uri == "http://www.w3.org/2001/04/xmldsig-more#sha384" ||
         uri == "http://www.w3.org/2001/04/xmlenc#sha512";
}
bool allowed_signature(std::string_view uri) {
  return uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" ||
         uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" ||
         uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" ||
         uri == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" ||
         uri == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" ||
         uri == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" || uri == xmldsig_rsa_pss::kSha256 ||
         uri == xmldsig_rsa_pss::kSha384 || uri == xmldsig_rsa_pss::kSha512;
}

// An exc-c14n method element: the algorithm, and at most an InclusiveNamespaces child.
bool exc_c14n_method(const xmlNode* n) {
  if (attr(n, "Algorithm") != kExcC14n) return false;
  for (xmlNode* c : element_children(const_cast<xmlNode*>(n)))
    if (!is(c, kExcC14n, "InclusiveNamespaces")) return false;
  return true;
}

struct XmlSecInit {
  XmlSecInit() {
    if (xmlSecInit() < 0) throw std::runtime_error("xmlsec initialisation failed");
    if (xmlSecCheckVersion() != 1) throw std::runtime_error("xmlsec library version mismatch");
    if (xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0)
      throw std::runtime_error("xmlsec-openssl initialisation failed");
    if (!xmldsig_rsa_pss::register_transforms()) throw std::runtime_error("xmlsec: RSA-PSS transforms not registered");
    xmlSecErrorsSetCallback(quiet_errors);
  }
};

struct DsigCtx {
  xmlSecDSigCtxPtr p = xmlSecDSigCtxCreate(nullptr);
  ~DsigCtx() { if (p) xmlSecDSigCtxDestroy(p); }
};

// Only the algorithms of the profile; everything else (XPath, XSLT, enveloped, SHA-1, base64,
// inclusive c14n) is unknown to this context and fails.
Status restrict_algorithms(xmlSecDSigCtxPtr ctx) {
  if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha384Id) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha512Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha256Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha384Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha512Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha256Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha384Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha512Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmldsig_rsa_pss::sha256()) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmldsig_rsa_pss::sha384()) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx, xmldsig_rsa_pss::sha512()) < 0)
    return make_error("", "xmlsec: algoritmen kunnen niet beperkt worden");
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  return ok_status();
}

std::string base64(const unsigned char* data, int len) {
  std::string out(static_cast<size_t>(4 * ((len + 2) / 3)) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, len);
  out.resize(static_cast<size_t>(n));
  return out;
}
std::optional<std::string> unbase64(const std::string& in) {
  std::string s = strip_ws(in);
  if (s.empty() || s.size() % 4 != 0 || s.size() > (1u << 20)) return std::nullopt;
  std::string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  size_t pad = s.ends_with("==") ? 2 : s.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string new_id(std::string_view prefix) {
  auto m = new_message_id().str();  // urn:uuid:...
  return std::string(prefix) + "-" + m.substr(9);
}

// Gives n a wsu:Id (keeping an existing one) and returns it.
std::string ensure_wsu_id(xmlDoc* doc, xmlNode* n, xmlNs* wsu, std::string_view prefix) {
  if (has_attr(n, "Id", kWsuNs)) return attr(n, "Id", kWsuNs);
  std::string id = new_id(prefix);
  xmlAttr* a = xmlNewNsProp(n, wsu, BAD_CAST "Id", BAD_CAST id.c_str());
  xmlAddID(nullptr, doc, BAD_CAST id.c_str(), a);
  return id;
}

// A key libxmlsec1 1.2 can hold: RSA-PSS (id-RSASSA-PSS) keys as their rsaEncryption twin, to be
// used with the PSS transforms only. Takes ownership of pkey; nullptr on failure.
xmlSecKeyPtr xmlsec_key(EVP_PKEY* pkey, bool with_private) {
  if (pkey != nullptr && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA_PSS) {
    EVP_PKEY* twin = xmldsig_rsa_pss::rsa_encryption_twin(pkey, with_private);
    EVP_PKEY_free(pkey);
    pkey = twin;
  }
  if (pkey == nullptr) return nullptr;
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
  if (data == nullptr) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  xmlSecKeyPtr key = xmlSecKeyCreate();
  if (key == nullptr || xmlSecKeySetValue(key, data) < 0) {
    xmlSecKeyDataDestroy(data);
    if (key) xmlSecKeyDestroy(key);
    return nullptr;
  }
  return key;
}

// An RSA-PSS key may carry restrictions (digest, minimum salt length): a SignatureMethod outside
// them is not a signature this key may make. rsaEncryption and EC keys carry none.
bool pss_key_allows(EVP_PKEY* key, const EVP_MD* md) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA_PSS) return true;
  if (md == nullptr) return false;  // a PSS-only key never makes PKCS#1 v1.5 or other signatures
  char name[64] = {};
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_RSA_DIGEST, name, sizeof name, nullptr) == 1 &&
      !EVP_MD_is_a(md, name))
    return false;
  int min_salt = 0;
  if (EVP_PKEY_get_int_param(key, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, &min_salt) == 1 && min_salt > EVP_MD_get_size(md))
    return false;
  return true;
}

// The signature the own key makes: ECDSA for EC keys; RSA-PSS for RSA-PSS keys and for an
// rsaEncryption key whose certificate is itself RSA-PSS signed (the G4 generation); RSA PKCS#1
// v1.5 otherwise (G3, whose peers may not know PSS).
xmlSecTransformId signature_transform(X509* cert, EVP_PKEY* pub) {
  const int type = EVP_PKEY_get_base_id(pub);
  if (type == EVP_PKEY_EC) return xmlSecTransformEcdsaSha256Id;
  if (type == EVP_PKEY_RSA_PSS) {
    char name[64] = {};
    if (EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_RSA_DIGEST, name, sizeof name, nullptr) == 1) {
      if (EVP_MD_is_a(EVP_sha384(), name)) return xmldsig_rsa_pss::sha384();
      if (EVP_MD_is_a(EVP_sha512(), name)) return xmldsig_rsa_pss::sha512();
    }
    return xmldsig_rsa_pss::sha256();
  }
  if (X509_get_signature_nid(cert) == NID_rsassaPss) return xmldsig_rsa_pss::sha256();
  return xmlSecTransformRsaSha256Id;
}

// The key usages a signer's certificate must allow: a TLS certificate of the direction's purpose
// (G3: one certificate for TLS and signing), or a signing certificate (G4: one purpose per
// certificate): digitalSignature or nonRepudiation, and an extended key usage for signing
// documents (RFC 9336 documentSigning, Microsoft's document signing, or emailProtection).
bool signing_certificate(X509* cert) {
  const uint32_t ku = X509_get_key_usage(cert);
  if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) == 0 || (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
    return false;
  std::unique_ptr<EXTENDED_KEY_USAGE, decltype(&EXTENDED_KEY_USAGE_free)> eku(
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)),
      &EXTENDED_KEY_USAGE_free);
  if (!eku) return false;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    char oid[80] = {};
    OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(eku.get(), i), 1);
    const std::string_view o = oid;
    if (o == "1.3.6.1.5.5.7.3.36" || o == "1.3.6.1.4.1.311.10.3.12" || o == "1.3.6.1.5.5.7.3.4") return true;
  }
  return false;
}

}  // namespace

void init() { static XmlSecInit once; }

// ---------------------------------------------------------------------------------------------
// Signing

struct Signer::Key {
  xmlSecKeyPtr key = nullptr;
  xmlSecTransformId method = nullptr;
  ~Key() { if (key) xmlSecKeyDestroy(key); }
};

Signer::Signer(const std::string& certificate_chain_pem, const std::string& private_key_pem)
    : key_(std::make_unique<Key>()), oin_(*Oin::parse("00000099000000000000")) {
  init();
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(certificate_chain_pem.c_str(), "r"), &fclose);
  if (!f) throw std::runtime_error("cannot read certificate " + certificate_chain_pem);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) throw std::runtime_error("no certificate in " + certificate_chain_pem);
  auto id = identity_of(cert.get());
  if (!id) throw std::runtime_error("certificate " + certificate_chain_pem + " carries no OIN");
  oin_ = id->oin;
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) throw std::runtime_error("cannot encode " + certificate_chain_pem);
  cert_base64_ = base64(der, len);
  OPENSSL_free(der);
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  if (pub == nullptr) throw std::runtime_error("no public key in " + certificate_chain_pem);
  key_->method = signature_transform(cert.get(), pub);
  signature_method_ = reinterpret_cast<const char*>(key_->method->href);

  std::unique_ptr<FILE, decltype(&fclose)> kf(std::fopen(private_key_pem.c_str(), "r"), &fclose);
  EVP_PKEY* pkey = kf ? PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr) : nullptr;
  ERR_clear_error();
  if (pkey == nullptr) throw std::runtime_error("cannot load private key " + private_key_pem + " for signing");
  if (X509_check_private_key(cert.get(), pkey) != 1) {
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    throw std::runtime_error("private key " + private_key_pem + " does not match " + certificate_chain_pem);
  }
  key_->key = xmlsec_key(pkey, /*with_private=*/true);
  if (key_->key == nullptr) throw std::runtime_error("cannot use private key " + private_key_pem + " for signing");
}

Signer::~Signer() = default;

Result<std::string> Signer::sign(std::string_view envelope, const SignOptions& options,
                                 std::string* signature_value) const {
  // Our own envelope (built by build_envelope): trusted input, parsed without network or DTD.
  xmlDoc* raw = xmlReadMemory(envelope.data(), static_cast<int>(envelope.size()), nullptr, "UTF-8",
                              XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  if (raw == nullptr) return make_error("", "ondertekenen: envelope is geen XML");
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(raw, &xmlFreeDoc);
  auto sv = sign_document(doc.get(), options);
  if (!sv) return sv.error();
  if (signature_value) *signature_value = *sv;
  xmlChar* out = nullptr;
  int n = 0;
  xmlDocDumpMemoryEnc(doc.get(), &out, &n, "UTF-8");
  if (out == nullptr) return make_error("", "ondertekenen: serialiseren mislukt");
  std::string s(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  xmlFree(out);
  return s;
}

Result<std::string> Signer::sign_document(xmlDoc* doc, const SignOptions& options) const {
  EnvelopeParts p = parts_of(doc);
  if (!p.envelope || !p.body) return make_error("", "ondertekenen: geen SOAP 1.1 envelope");
  if (!p.header) {
    p.header = xmlNewDocNode(doc, p.envelope->ns, BAD_CAST "Header", nullptr);
    xmlAddPrevSibling(p.body, p.header);
  }
  xmlNs* wsu = xmlNewNs(p.envelope, BAD_CAST kWsuNs, BAD_CAST "wsu");
  if (wsu == nullptr) wsu = xmlSearchNsByHref(doc, p.envelope, BAD_CAST kWsuNs);

  // The Security header goes first in soap:Header.
  xmlNode* security = xmlNewDocNode(doc, nullptr, BAD_CAST "Security", nullptr);
  xmlNs* wsse = xmlNewNs(security, BAD_CAST kWsseNs, BAD_CAST "wsse");
  xmlSetNs(security, wsse);
  xmlSetNsProp(security, p.envelope->ns, BAD_CAST "mustUnderstand", BAD_CAST "1");
  if (p.header->children) xmlAddPrevSibling(p.header->children, security);
  else xmlAddChild(p.header, security);

  const std::int64_t now = clock_now(options.now);
  xmlNode* ts = xmlNewChild(security, wsu, BAD_CAST "Timestamp", nullptr);
  xmlNewChild(ts, wsu, BAD_CAST "Created", BAD_CAST format_time(now).c_str());
  xmlNewChild(ts, wsu, BAD_CAST "Expires", BAD_CAST format_time(now + options.ttl_seconds).c_str());

  xmlNode* bst = xmlNewChild(security, wsse, BAD_CAST "BinarySecurityToken", BAD_CAST cert_base64_.c_str());
  xmlSetProp(bst, BAD_CAST "EncodingType", BAD_CAST kBase64Binary);
  xmlSetProp(bst, BAD_CAST "ValueType", BAD_CAST kX509v3);

  std::vector<std::string> ids;
  ids.push_back(ensure_wsu_id(doc, p.body, wsu, "Body"));
  ids.push_back(ensure_wsu_id(doc, ts, wsu, "TS"));
  const std::string bst_id = ensure_wsu_id(doc, bst, wsu, "X509");
  ids.push_back(bst_id);
  if (options.confirm_signature) {
    xmlNode* sc = xmlNewChild(security, nullptr, BAD_CAST "SignatureConfirmation", nullptr);
    xmlSetNs(sc, xmlNewNs(sc, BAD_CAST kWsse11Ns, BAD_CAST "wsse11"));
    xmlSetProp(sc, BAD_CAST "Value", BAD_CAST options.confirm_signature->c_str());
    ids.push_back(ensure_wsu_id(doc, sc, wsu, "SC"));
  }
  for (xmlNode* h : element_children(p.header))
    if (in_ns(h, kWsaNs)) ids.push_back(ensure_wsu_id(doc, h, wsu, std::string("WSA-") + reinterpret_cast<const char*>(h->name)));

  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId, key_->method, nullptr, BAD_CAST "ds");
  if (sig == nullptr) return make_error("", "ondertekenen: handtekeningsjabloon mislukt");
  xmlAddChild(security, sig);
  for (const auto& id : ids) {
    std::string uri = "#" + id;
    xmlNode* ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, nullptr, BAD_CAST uri.c_str(), nullptr);
    if (ref == nullptr || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == nullptr)
      return make_error("", "ondertekenen: referentie mislukt");
  }
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  xmlNode* str = xmlNewChild(key_info, wsse, BAD_CAST "SecurityTokenReference", nullptr);
  xmlNode* ref = xmlNewChild(str, wsse, BAD_CAST "Reference", nullptr);
  xmlSetProp(ref, BAD_CAST "URI", BAD_CAST ("#" + bst_id).c_str());
  xmlSetProp(ref, BAD_CAST "ValueType", BAD_CAST kX509v3);

  DsigCtx ctx;
  if (ctx.p == nullptr) return make_error("", "ondertekenen: geen xmlsec-context");
  ctx.p->signKey = xmlSecKeyDuplicate(key_->key);
  if (ctx.p->signKey == nullptr) return make_error("", "ondertekenen: sleutel kopiëren mislukt");
  if (xmlSecDSigCtxSign(ctx.p, sig) < 0) return make_error("", "ondertekenen mislukt");
  for (xmlNode* c : element_children(sig))
    if (is(c, kDsNs, "SignatureValue")) return strip_ws(text(c));
  return make_error("", "ondertekenen: geen SignatureValue");
}

// ---------------------------------------------------------------------------------------------
// Verifying

bool has_security_header(const xmlDoc* doc) {
  EnvelopeParts p = parts_of(doc);
  for (xmlNode* h : element_children(p.header))
    if (is(h, kWsseNs, "Security")) return true;
  return false;
}

Result<Verified> verify(xmlDoc* doc, const VerifyPolicy& policy) {
  init();
  EnvelopeParts p = parts_of(doc);
  if (!p.envelope || !p.body) return bad("geen SOAP 1.1 envelope", "soap:Envelope");

  // Exactly one Security header, in the wsse 1.0 namespace.
  xmlNode* security = nullptr;
  std::vector<xmlNode*> wsa_headers;
  for (xmlNode* h : element_children(p.header)) {
    if (std::string_view(reinterpret_cast<const char*>(h->name)) == "Security") {
      if (!is(h, kWsseNs, "Security")) return bad("Security-header in een onbekende namespace", name_of(h));
      if (security) return bad("meer dan één wsse:Security-header", "wsse:Security");
      security = h;
    } else if (in_ns(h, kWsaNs)) {
      wsa_headers.push_back(h);
    }
  }
  if (!security) return bad("ondertekening vereist: wsse:Security ontbreekt", "wsse:Security");
  if (has_attr(security, "actor", kSoap11Ns)) return bad("wsse:Security voor een andere actor", "wsse:Security");

  // Its children: one Timestamp, one token, one Signature, confirmations where allowed.
  xmlNode *ts = nullptr, *bst = nullptr, *sig = nullptr;
  std::vector<xmlNode*> confirmations;
  for (xmlNode* c : element_children(security)) {
    if (is(c, kWsuNs, "Timestamp") && !ts) ts = c;
    else if (is(c, kWsseNs, "BinarySecurityToken") && !bst) bst = c;
    else if (is(c, kDsNs, "Signature") && !sig) sig = c;
    else if (is(c, kWsse11Ns, "SignatureConfirmation") && policy.allow_confirmation) confirmations.push_back(c);
    else return bad("onverwacht of dubbel element in wsse:Security", name_of(c));
  }
  if (!ts) return bad("wsu:Timestamp ontbreekt", "wsu:Timestamp");
  if (!bst) return bad("wsse:BinarySecurityToken ontbreekt", "wsse:BinarySecurityToken");
  if (!sig) return bad("ds:Signature ontbreekt", "ds:Signature");

  auto ids = collect_ids(doc);
  if (!ids) return ids.error();

  // ds:Signature: SignedInfo, SignatureValue, KeyInfo; no Object (a classic wrapper hiding place).
  xmlNode *signed_info = nullptr, *signature_value = nullptr, *key_info = nullptr;
  for (xmlNode* c : element_children(sig)) {
    if (is(c, kDsNs, "SignedInfo") && !signed_info) signed_info = c;
    else if (is(c, kDsNs, "SignatureValue") && !signature_value && signed_info) signature_value = c;
    else if (is(c, kDsNs, "KeyInfo") && !key_info && signature_value) key_info = c;
    else return bad("onverwacht element in ds:Signature", name_of(c));
  }
  if (!signed_info || !signature_value || !key_info) return bad("ds:Signature is onvolledig", "ds:Signature");

  // SignedInfo: algorithms and references.
  std::map<const xmlNode*, int> covered;
  bool c14n_seen = false, method_seen = false;
  std::string signature_method;
  for (xmlNode* c : element_children(signed_info)) {
    if (is(c, kDsNs, "CanonicalizationMethod") && !c14n_seen && !method_seen) {
      if (!exc_c14n_method(c)) return bad("CanonicalizationMethod moet exc-c14n zijn", "ds:CanonicalizationMethod");
      c14n_seen = true;
    } else if (is(c, kDsNs, "SignatureMethod") && c14n_seen && !method_seen) {
      std::string alg = attr(c, "Algorithm");
      if (weak_algorithm(alg)) return bad("SHA-1 is niet toegestaan (" + alg + ")", "ds:SignatureMethod");
      if (!allowed_signature(alg) || !element_children(c).empty())
        return bad("SignatureMethod niet toegestaan: " + alg, "ds:SignatureMethod");
      method_seen = true;
      signature_method = alg;
    } else if (is(c, kDsNs, "Reference") && method_seen) {
      std::string uri = attr(c, "URI");
      if (uri.size() < 2 || uri[0] != '#' || uri.find_first_of("#()'\" /:", 1) != std::string::npos)
        return bad("alleen verwijzingen naar een wsu:Id in dit bericht zijn toegestaan: '" + uri + "'", "ds:Reference");
      auto it = ids->find(uri.substr(1));
      if (it == ids->end()) return bad("verwijzing naar onbekend wsu:Id " + uri, "ds:Reference");
      if (++covered[it->second] > 1) return bad("element dubbel ondertekend: " + uri, "ds:Reference");
      xmlNode *transforms = nullptr, *digest_method = nullptr, *digest_value = nullptr;
      for (xmlNode* r : element_children(c)) {
        if (is(r, kDsNs, "Transforms") && !transforms && !digest_method) transforms = r;
        else if (is(r, kDsNs, "DigestMethod") && !digest_method) digest_method = r;
        else if (is(r, kDsNs, "DigestValue") && digest_method && !digest_value) digest_value = r;
        else return bad("onverwacht element in ds:Reference", name_of(r));
      }
      if (!digest_method || !digest_value) return bad("ds:Reference is onvolledig", "ds:Reference");
      for (xmlNode* t : element_children(transforms)) {
        if (!is(t, kDsNs, "Transform") || !exc_c14n_method(t))
          return bad("transformatie niet toegestaan: " + attr(t, "Algorithm") + " (alleen exc-c14n)", "ds:Transform");
      }
      std::string dalg = attr(digest_method, "Algorithm");
      if (weak_algorithm(dalg)) return bad("SHA-1 is niet toegestaan (" + dalg + ")", "ds:DigestMethod");
      if (!allowed_digest(dalg)) return bad("DigestMethod niet toegestaan: " + dalg, "ds:DigestMethod");
    } else {
      return bad("onverwacht element in ds:SignedInfo", name_of(c));
    }
  }
  if (covered.empty()) return bad("ds:SignedInfo zonder verwijzingen", "ds:SignedInfo");

  // Every required part covered, by node identity [WB004].
  auto require = [&](const xmlNode* n, const std::string& what) -> Status {
    if (!covered.contains(n)) return bad(what + " is niet ondertekend", what);
    return ok_status();
  };
  if (auto st = require(p.body, "soap:Body"); !st) return st.error();
  if (auto st = require(ts, "wsu:Timestamp"); !st) return st.error();
  // The token itself "should" be covered (§4); it is not required: swapping it cannot help without
  // a key that signs the rest, and its certificate is checked as the signer's below. (python3-zeep
  // and most WSS4J set-ups do not sign it.)
  for (xmlNode* h : wsa_headers)
    if (auto st = require(h, name_of(h)); !st) return st.error();
  for (xmlNode* h : confirmations)
    if (auto st = require(h, "wsse11:SignatureConfirmation"); !st) return st.error();
  // Nothing else may be signed: a reference to any other element means a wrapped copy.
  for (const auto& [node, n] : covered) {
    auto* m = const_cast<xmlNode*>(node);
    bool expected = m == p.body || m == ts || m == bst || std::ranges::find(wsa_headers, m) != wsa_headers.end() ||
                    std::ranges::find(confirmations, m) != confirmations.end();
    if (!expected) return bad("handtekening verwijst naar een element buiten de toegestane delen", name_of(node));
  }

  // KeyInfo: exactly one SecurityTokenReference to the token in this header.
  auto ki = element_children(key_info);
  if (ki.size() != 1 || !is(ki[0], kWsseNs, "SecurityTokenReference"))
    return bad("KeyInfo moet één wsse:SecurityTokenReference bevatten", "ds:KeyInfo");
  auto refs = element_children(ki[0]);
  if (refs.size() != 1 || !is(refs[0], kWsseNs, "Reference"))
    return bad("SecurityTokenReference moet één wsse:Reference bevatten", "wsse:SecurityTokenReference");
  std::string token_uri = attr(refs[0], "URI");
  if (token_uri.size() < 2 || token_uri[0] != '#' || ids->find(token_uri.substr(1)) == ids->end() ||
      ids->at(token_uri.substr(1)) != bst)
    return bad("KeyInfo verwijst niet naar het BinarySecurityToken in deze header", "wsse:Reference");
  if (std::string vt = attr(refs[0], "ValueType"); !vt.empty() && vt != kX509v3)
    return bad("SecurityTokenReference met ValueType " + vt, "wsse:Reference");

  // The token: an X.509v3 certificate, chain and revocation as for TLS, the expected OIN.
  if (attr(bst, "ValueType") != kX509v3) return bad("BinarySecurityToken is geen X509v3-certificaat", "wsse:BinarySecurityToken");
  if (std::string enc = attr(bst, "EncodingType"); !enc.empty() && enc != kBase64Binary)
    return bad("BinarySecurityToken niet in Base64Binary", "wsse:BinarySecurityToken");
  if (!element_children(bst).empty()) return bad("BinarySecurityToken bevat elementen", "wsse:BinarySecurityToken");
  auto der = unbase64(text(bst));
  if (!der) return bad("BinarySecurityToken is geen geldige base64", "wsse:BinarySecurityToken");
  const unsigned char* dp = reinterpret_cast<const unsigned char*>(der->data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &dp, static_cast<long>(der->size())), &X509_free);
  if (!cert || dp != reinterpret_cast<const unsigned char*>(der->data()) + der->size())
    return bad("BinarySecurityToken bevat geen geldig certificaat", "wsse:BinarySecurityToken");
  auto signer = identity_of(cert.get());
  if (!signer) return bad("certificaat van de ondertekenaar draagt geen OIN", "wsse:BinarySecurityToken");
  if (policy.expected_signer && !(signer->oin == *policy.expected_signer))
    return bad("ondertekenaar (" + signer->oin.str() + ") is niet de TLS-identiteit (" + policy.expected_signer->str() + ")",
               "wsse:BinarySecurityToken");
  if (policy.trust == nullptr) return bad("geen vertrouwde certificaten om de ondertekenaar te controleren", "wsse:BinarySecurityToken");
  {
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> vctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
    if (!vctx || X509_STORE_CTX_init(vctx.get(), policy.trust, cert.get(), policy.untrusted) != 1)
      return make_error("", "certificaatcontrole kan niet starten");
    // A signing certificate (G4) is checked as a chain for any purpose, its usages above; any
    // other certificate must be fit for TLS in the message's direction.
    const int purpose = signing_certificate(cert.get()) ? X509_PURPOSE_ANY : policy.purpose;
    const std::int64_t now_s = clock_now(0);
    const std::string chain_key =
        policy.chains ? ChainVerdicts::key(purpose, policy.trust_generation, cert.get(), policy.untrusted) : std::string();
    if (!policy.chains || !policy.chains->verified(chain_key, now_s)) {
      if (purpose != 0) X509_VERIFY_PARAM_set_purpose(X509_STORE_CTX_get0_param(vctx.get()), purpose);
      if (X509_verify_cert(vctx.get()) != 1)
        return bad(std::string("certificaat van de ondertekenaar is ongeldig: ") +
                       X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx.get())),
                   "wsse:BinarySecurityToken");
      if (policy.chains) policy.chains->remember(chain_key, cert.get(), now_s);
    }
  }

  // Freshness [replay]: Created within the skew, Expires not passed.
  const std::int64_t now = clock_now(policy.now);
  xmlNode *created = nullptr, *expires = nullptr;
  for (xmlNode* c : element_children(ts)) {
    if (is(c, kWsuNs, "Created") && !created && !expires) created = c;
    else if (is(c, kWsuNs, "Expires") && !expires) expires = c;
    else return bad("onverwacht element in wsu:Timestamp", name_of(c));
  }
  if (!created) return bad("wsu:Created ontbreekt", "wsu:Created");
  auto t_created = parse_time(text(created));
  if (!t_created) return bad("wsu:Created is geen UTC xsd:dateTime", "wsu:Created");
  if (*t_created > now + policy.skew_seconds || *t_created < now - policy.skew_seconds)
    return make_error(rules::DK0011, "wsu:Timestamp valt buiten de toegestane klokafwijking", "wsu:Created");
  if (expires) {
    auto t_expires = parse_time(text(expires));
    if (!t_expires || *t_expires < *t_created) return bad("wsu:Expires is ongeldig", "wsu:Expires");
    if (*t_expires + policy.skew_seconds < now) return make_error(rules::DK0011, "wsu:Timestamp is verlopen", "wsu:Expires");
  }

  // The cryptography, restricted to the same algorithms and to same-document references.
  DsigCtx ctx;
  if (ctx.p == nullptr) return make_error("", "geen xmlsec-context");
  if (auto st = restrict_algorithms(ctx.p); !st) return st.error();
  ctx.p->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  if (pub == nullptr || !pss_key_allows(pub, xmldsig_rsa_pss::digest_of(signature_method.c_str())))
    return bad("de sleutel van de ondertekenaar is alleen voor RSA-PSS (binnen zijn parameters), niet voor " +
                   signature_method,
               "ds:SignatureMethod");
  ctx.p->signKey = EVP_PKEY_up_ref(pub) == 1 ? xmlsec_key(pub, /*with_private=*/false) : nullptr;
  if (ctx.p->signKey == nullptr) return bad("publieke sleutel van de ondertekenaar onbruikbaar", "wsse:BinarySecurityToken");
  if (xmlSecDSigCtxVerify(ctx.p, sig) < 0 || ctx.p->status != xmlSecDSigStatusSucceeded)
    return bad("handtekening of digest klopt niet", "ds:Signature");
  // Belt and braces: libxmlsec1 must have checked exactly the references we inspected.
  if (xmlSecPtrListGetSize(&ctx.p->signedInfoReferences) != covered.size())
    return bad("aantal gecontroleerde verwijzingen klopt niet", "ds:SignedInfo");
  for (xmlSecSize i = 0; i < xmlSecPtrListGetSize(&ctx.p->signedInfoReferences); ++i) {
    auto* r = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx.p->signedInfoReferences, i));
    if (r == nullptr || r->status != xmlSecDSigStatusSucceeded) return bad("digest klopt niet", "ds:Reference");
  }

  Verified v{*signer, strip_ws(text(signature_value)), {}};
  for (xmlNode* c : confirmations) v.confirmations.push_back(attr(c, "Value"));
  return v;
}

}  // namespace edugate::security::wssec
