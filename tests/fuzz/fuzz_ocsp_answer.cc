// Fuzz target: what an OCSP responder answers. It comes over plain HTTP, so anyone on the path
// can answer: parsed as DER, its signature checked against the example PKI's trust anchor (the
// issuing CA's delegated responder), matched to the certificate asked about (ocsp-good), checked
// for being current. The responder's real answers about the three ocsp-* certificates are seeds,
// so the mutations reach the signature and status checks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "security/ocsp_answer.h"
#include "security/x509_files.h"

namespace {

std::string pki(const std::string& f) { return std::string(EDUGATE_TEST_PKI_DIR) + "/" + f; }

struct Lab {
  std::vector<edugate::security::X509Ptr> cert = edugate::security::read_certs(pki("ocsp-good.chain.pem"));
  std::vector<edugate::security::X509Ptr> anchors = edugate::security::read_certs(pki("trust.pem"));
  X509_STORE* store = X509_STORE_new();
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  Lab() {
    for (auto& a : anchors) X509_STORE_add_cert(store, a.get());
    for (std::size_t i = 1; i < cert.size(); ++i) sk_X509_push(untrusted, cert[i].get());
  }
};

Lab& lab() {
  static Lab l;
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lab();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using Status = edugate::security::OcspAnswer::Status;
  const std::string answer(reinterpret_cast<const char*>(data), size);
  Lab& l = lab();
  const auto a = edugate::security::judge_ocsp_answer(answer, nullptr, l.cert[0].get(), l.cert[1].get(), l.untrusted, l.store);
  if (a.status == Status::no_answer && a.reason.empty()) __builtin_trap();            // a refusal says why
  if (a.status != Status::no_answer && (a.der != answer || a.this_update == 0)) __builtin_trap();  // what is used is what came
  return 0;
}
