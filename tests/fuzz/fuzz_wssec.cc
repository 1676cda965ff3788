// Fuzz target: the WS-Security verifier (structure and wrapping checks, token and chain, Timestamp,
// then libxmlsec1's digests and signature). The trust store and "now" are fixed (see
// wssec-fixture/README.md) so that the committed seeds are valid signatures and mutations of
// them reach every stage. With EDUGATE_WSSEC_MAKE_SEEDS=<dir> it writes those seeds and exits.
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "security/wssec.h"
#include "security/xml_guard.h"

namespace {
using namespace edugate;
constexpr std::int64_t kNow = 1800000000;  // 2027-01-15, when the seeds were "signed"
X509_STORE* store = nullptr;

std::string fixture(const char* f) { return std::string(EDUGATE_SOURCE_DIR) + "/tests/fuzz/wssec-fixture/" + f; }

std::string envelope(bool response) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                     "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                     "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><soap:Header>"
                     "<wsa:To>https://localhost/edukoppeling/leerbedrijf?oin=00000003273785290000</wsa:To>"
                     "<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000"
                     "</wsa:Address></wsa:From><wsa:Action>urn:edugate:leerbedrijf:1:VerifieerErkenning</wsa:Action>"
                     "<wsa:MessageID>urn:uuid:6b1d3c1e-2f0a-4c4e-9d53-0d9e8c7b6a51</wsa:MessageID>") +
         (response ? "<wsa:RelatesTo>urn:uuid:0b1d3c1e-2f0a-4c4e-9d53-0d9e8c7b6a51</wsa:RelatesTo>" : "") +
         "</soap:Header><soap:Body><lb:VerifieerErkenningRequest xmlns:lb=\"urn:edugate:leerbedrijf:1\">"
         "<lb:LeerbedrijfID>100000001</lb:LeerbedrijfID><lb:Crebo>25180</lb:Crebo><lb:Leerweg>BOL</lb:Leerweg>"
         "</lb:VerifieerErkenningRequest></soap:Body></soap:Envelope>";
}

void make_seeds(const std::string& dir) {
  security::wssec::Signer signer(fixture("signer.pem"), fixture("signer.key.pem"));
  security::wssec::SignOptions o;
  o.now = kNow;
  std::ofstream(dir + "/00-signed-request.xml") << *signer.sign(envelope(false), o);
  o.confirm_signature = "c2lnbmF0dXJlLXZhbHVl";
  std::ofstream(dir + "/01-signed-response.xml") << *signer.sign(envelope(true), o);
  std::exit(0);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  security::init_xml();
  security::wssec::init();
  if (const char* dir = std::getenv("EDUGATE_WSSEC_MAKE_SEEDS")) make_seeds(dir);
  store = X509_STORE_new();
  FILE* f = std::fopen(fixture("ca.pem").c_str(), "r");
  if (!f) std::abort();
  X509* ca = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  X509_STORE_add_cert(store, ca);
  X509_free(ca);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = security::parse_guarded(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc) return 0;
  security::wssec::VerifyPolicy p;
  p.trust = store;
  p.expected_signer = *Oin::parse("0000000700025BE00000");
  p.now = kNow;
  p.allow_confirmation = size % 2 == 0;  // both the request and the response rules
  auto v = security::wssec::verify(doc->get(), p);
  // An accepted message names the expected signer; anything else is a refusal with a code.
  if (v && !(v->signer.oin == *p.expected_signer)) __builtin_trap();
  if (!v && v.error().code != "EK0031" && v.error().code != "DK0011" && !v.error().code.empty()) __builtin_trap();
  return 0;
}
