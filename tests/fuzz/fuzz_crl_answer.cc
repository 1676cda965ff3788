// Fuzz target: what a CRL distribution point answers. It comes over plain HTTP, so anyone on
// the path can answer: parsed as DER or PEM, matched to its CA, signature-checked against the
// trust anchors and intermediates of the example PKI, compared with the CRL held, cached.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "security/crl_fetch.h"

namespace {

std::string pki(const std::string& f) { return std::string(EDUGATE_TEST_PKI_DIR) + "/" + f; }

struct Lab {
  std::string cache;
  std::unique_ptr<edugate::security::CrlFetcher> fetcher;
  Lab() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "edugate-fuzz-crl-XXXXXX").string();
    cache = mkdtemp(tmpl.data()) ? tmpl : "/tmp/edugate-fuzz-crl";
    edugate::security::TlsSettings tls;
    tls.certificate = pki("sbb.chain.pem");
    tls.private_key = pki("sbb.key.pem");
    tls.trust_anchors = pki("trust.pem");
    tls.crl_cache_dir = cache;
    edugate::security::CrlFetchSettings f;
    f.enabled = true;
    f.cache_dir = cache;
    f.intermediates = {pki("intermediates.pem")};
    fetcher = std::make_unique<edugate::security::CrlFetcher>(tls, f);
  }
  ~Lab() { std::filesystem::remove_all(cache); }
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
  using Kind = edugate::security::CrlFetchOutcome::Kind;
  std::string answer(reinterpret_cast<const char*>(data), size);
  auto o = lab().fetcher->accept_answer("http://127.0.0.1:8099/crl/issuing.crl", answer);
  if (o.kind == Kind::skipped || (o.kind == Kind::failed && o.reason.empty())) __builtin_trap();
  if (o.kind == Kind::updated && o.issuer.find("PKIoverheid Services Issuing CA") == std::string::npos)
    __builtin_trap();
  return 0;
}
