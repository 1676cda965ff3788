// CRL fetching from the distribution points of the example PKI (http://127.0.0.1:8099/crl/...),
// served by a test server holding the DER CRLs (edukoppeling.md §3: fail closed).
#include "security/crl_fetch.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "security/pki.h"
#include "security/tls_reload.h"
#include "testkit/crl_lab.h"

using namespace edugate::security;
using edugate::testkit::CaCopy;
using edugate::testkit::CrlServer;
using Kind = CrlFetchOutcome::Kind;
namespace fs = std::filesystem;

namespace {

std::string pki(const std::string& f) { return std::string(EDUGATE_TEST_PKI_DIR) + "/" + f; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const CrlFetchOutcome* outcome_for(const CrlRefresh& r, const std::string& file) {
  for (const auto& o : r.outcomes)
    if (o.url.ends_with("/" + file)) return &o;
  return nullptr;
}

class CrlFetch : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "edugate-crlfetch-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    served_ = dir_ + "/served";
    cache_ = dir_ + "/cache";
    edugate::testkit::copy_pki_crls(served_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Our own chain and the trust anchors as the provider has them, with no CRL but the fetched.
  TlsSettings tls() const {
    TlsSettings s;
    s.certificate = pki("sbb.chain.pem");
    s.private_key = pki("sbb.key.pem");
    s.trust_anchors = pki("trust.pem");
    s.crl_cache_dir = cache_;
    return s;
  }
  CrlFetchSettings fetch() const {
    CrlFetchSettings f;
    f.enabled = true;
    f.cache_dir = cache_;
    f.timeout_ms = 3000;
    f.intermediates = {pki("intermediates.pem")};
    return f;
  }
  std::vector<std::string> cache_files() const {
    TlsSettings only;
    only.crl_cache_dir = cache_;
    return crl_files(only);
  }
  // The cached CRL whose issuer's name contains `cn`.
  std::string cache_file_of(const std::string& cn) const {
    for (const auto& f : cache_files()) {
      std::unique_ptr<FILE, decltype(&fclose)> in(std::fopen(f.c_str(), "r"), &fclose);
      std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(PEM_read_X509_CRL(in.get(), nullptr, nullptr, nullptr),
                                                              &X509_CRL_free);
      char name[512];
      X509_NAME_oneline(X509_CRL_get_issuer(crl.get()), name, sizeof name);
      if (std::string(name).find(cn) != std::string::npos) return f;
    }
    return "";
  }

  std::string dir_, served_, cache_;
};

}  // namespace

TEST_F(CrlFetch, DistributionPointsOfTheExamplePki) {
  EXPECT_EQ(crl_distribution_points_of_file(pki("school-30gr.cert.pem")),
            std::vector<std::string>{"http://127.0.0.1:8099/crl/issuing.crl"});
  CrlFetcher f(tls(), fetch());
  // Our leaf names the issuing CA's CRL; the CA certificates those of the domain CA and the root.
  EXPECT_EQ(f.urls(),
            (std::vector<std::string>{"http://127.0.0.1:8099/crl/domain.crl", "http://127.0.0.1:8099/crl/issuing.crl",
                                      "http://127.0.0.1:8099/crl/root.crl"}));
}

TEST_F(CrlFetch, FetchSucceedsTheCacheIsWrittenAndTheContextsReloaded) {
  CrlServer server(served_);
  TlsContexts contexts(tls());
  EXPECT_FALSE(verify_chain_file(pki("school-25be.chain.pem"), tls()).valid) << "no CRL yet: fail closed";
  CrlFetcher f(tls(), fetch());
  auto r = f.refresh(contexts);
  ASSERT_EQ(r.outcomes.size(), 3u);
  for (const auto& o : r.outcomes) {
    EXPECT_EQ(o.kind, Kind::updated) << o.url << ": " << o.reason;
    EXPECT_GT(o.next_update, 0) << o.url;
  }
  EXPECT_TRUE(r.changed);
  EXPECT_TRUE(r.reload.ok());
  EXPECT_EQ(contexts.generation(), 2);
  auto files = cache_files();
  ASSERT_EQ(files.size(), 3u);
  for (const auto& file : files) EXPECT_EQ(slurp(file).rfind("-----BEGIN X509 CRL-----", 0), 0u) << file;
  auto check = verify_chain_file(pki("school-25be.chain.pem"), tls());
  EXPECT_TRUE(check.valid) << check.reason;
  EXPECT_EQ(verify_chain_file(pki("revoked.chain.pem"), tls()).reason, "certificate revoked");

  auto again = f.refresh(contexts);
  for (const auto& o : again.outcomes) EXPECT_EQ(o.kind, Kind::unchanged) << o.url;
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(contexts.generation(), 2) << "nothing new, no reload";
}

TEST_F(CrlFetch, ServerDownKeepsTheCrlWeHoldAndSaysWhy) {
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), fetch());
  {
    CrlServer server(served_);
    ASSERT_TRUE(f.refresh(contexts).all_ok());
  }
  const std::string held = slurp(cache_file_of("Issuing CA"));
  auto r = f.refresh(contexts);
  EXPECT_FALSE(r.all_ok());
  EXPECT_FALSE(r.changed);
  for (const auto& o : r.outcomes) {
    EXPECT_EQ(o.kind, Kind::failed) << o.url;
    EXPECT_NE(o.reason.find("connect"), std::string::npos) << o.reason;
    EXPECT_GT(o.next_update, std::time(nullptr)) << "the CRL held is still in force";
    EXPECT_NE(o.issuer.find("edugate TEST"), std::string::npos) << o.issuer;
  }
  EXPECT_EQ(slurp(cache_file_of("Issuing CA")), held);
  EXPECT_EQ(contexts.generation(), 2);
  EXPECT_TRUE(verify_chain_file(pki("school-25be.chain.pem"), tls()).valid);
}

TEST_F(CrlFetch, ACrlSignedByTheWrongCaIsRefused) {
  // The issuing CA's name, a high crlNumber, but the untrusted root's signature.
  edugate::testkit::forge_crl(pki("ca/issuing.cert.pem"), pki("ca/untrusted-root.key.pem"), served_ + "/issuing.crl");
  CrlServer server(served_);
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), fetch());
  auto r = f.refresh(contexts);
  const auto* o = outcome_for(r, "issuing.crl");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->kind, Kind::failed);
  EXPECT_NE(o->reason.find("signature does not verify"), std::string::npos) << o->reason;
  EXPECT_EQ(o->next_update, 0) << "no CRL of the issuing CA is held";
  EXPECT_EQ(outcome_for(r, "domain.crl")->kind, Kind::updated);
  EXPECT_EQ(cache_file_of("PKIoverheid Services Issuing CA"), "") << "nothing of it reached the cache";
  EXPECT_EQ(verify_chain_file(pki("school-25be.chain.pem"), tls()).reason, "unable to get certificate CRL");
}

TEST_F(CrlFetch, ACrlOfAnotherCaAtADistributionPointIsRefused) {
  fs::copy_file(served_ + "/root.crl", served_ + "/issuing.crl", fs::copy_options::overwrite_existing);
  CrlServer server(served_);
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), fetch());
  const auto r = f.refresh(contexts);
  const auto* o = outcome_for(r, "issuing.crl");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->kind, Kind::failed);
  EXPECT_NE(o->reason.find("not of the CA this distribution point belongs to"), std::string::npos) << o->reason;
}

TEST_F(CrlFetch, ANewerCrlRevokesAndAnOlderOneDoesNotReplaceIt) {
  CaCopy ca("issuing", dir_ + "/ca-issuing");
  ca.revoke(pki("school-30gr.cert.pem"));
  ca.write_crl_der(served_ + "/issuing.crl");
  CrlServer server(served_);
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), fetch());
  const auto first = f.refresh(contexts);
  ASSERT_EQ(outcome_for(first, "issuing.crl")->kind, Kind::updated);
  EXPECT_EQ(verify_chain_file(pki("school-30gr.chain.pem"), tls()).reason, "certificate revoked");

  // A replayed older CRL (the one without the revocation) must not undo it.
  fs::copy_file(pki("crl/issuing.crl"), served_ + "/issuing.crl", fs::copy_options::overwrite_existing);
  auto r = f.refresh(contexts);
  const auto* o = outcome_for(r, "issuing.crl");
  EXPECT_EQ(o->kind, Kind::failed);
  EXPECT_NE(o->reason.find("older than the CRL held"), std::string::npos) << o->reason;
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(verify_chain_file(pki("school-30gr.chain.pem"), tls()).reason, "certificate revoked");
}

TEST_F(CrlFetch, AnExpiredCrlKeepsFailingClosed) {
  // The stale CA's CRL is only named in the certificates it issues: configure its URL. What it
  // serves is signed correctly but past its nextUpdate: held, and its certificates stay refused.
  auto settings = fetch();
  settings.urls = {"http://127.0.0.1:8099/crl/stale.crl"};
  CrlServer server(served_);
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), settings);
  auto r = f.refresh(contexts);
  const auto* o = outcome_for(r, "stale.crl");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->kind, Kind::updated) << o->reason;
  EXPECT_NE(o->issuer.find("Stale Issuing CA"), std::string::npos) << o->issuer;
  EXPECT_GT(o->next_update, 0);
  EXPECT_LT(o->next_update, std::time(nullptr)) << "past its nextUpdate";
  EXPECT_EQ(verify_chain_file(pki("stalecrl.chain.pem"), tls()).reason, "CRL has expired");
  EXPECT_TRUE(verify_chain_file(pki("school-25be.chain.pem"), tls()).valid) << "other issuers are not affected";
}

TEST_F(CrlFetch, AConfiguredUrlServingACrlOfAnUnknownCaIsRefused) {
  auto settings = fetch();
  settings.urls = {"http://127.0.0.1:8099/crl/untrusted-root.crl"};
  CrlServer server(served_);
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), settings);
  const auto r = f.refresh(contexts);
  const auto* o = outcome_for(r, "untrusted-root.crl");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->kind, Kind::failed);
  EXPECT_NE(o->reason.find("chaining to a trust anchor"), std::string::npos) << o->reason;
}

TEST_F(CrlFetch, OnlyHttpDistributionPointsAreFetched) {
  edugate::testkit::ca_with_distribution_points(
      {"ldap://ldap.example.test/cn=CA?certificateRevocationList", "https://crl.example.test/ca.crl"},
      dir_ + "/odd.pem");
  auto settings = fetch();
  settings.intermediates.push_back(dir_ + "/odd.pem");
  CrlServer server(served_);
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), settings);
  auto r = f.refresh(contexts);
  int skipped = 0;
  for (const auto& o : r.outcomes) {
    if (o.url.rfind("http://", 0) == 0) continue;
    EXPECT_EQ(o.kind, Kind::skipped) << o.url;
    EXPECT_NE(o.reason.find("only http://"), std::string::npos);
    ++skipped;
  }
  EXPECT_EQ(skipped, 2);
  EXPECT_EQ(server.requests(), 3) << "nothing else was asked for";
}

TEST_F(CrlFetch, UrlBaseFetchesFromALabMirror) {
  CrlServer mirror(served_, 0);
  auto settings = fetch();
  settings.url_base = "http://127.0.0.1:" + std::to_string(mirror.port()) + "/crl/";
  TlsContexts contexts(tls());
  CrlFetcher f(tls(), settings);
  auto r = f.refresh(contexts);
  ASSERT_EQ(r.outcomes.size(), 3u);
  for (const auto& o : r.outcomes) {
    EXPECT_EQ(o.kind, Kind::updated) << o.url << ": " << o.reason;
    EXPECT_EQ(o.url.rfind(settings.url_base, 0), 0u) << o.url;
  }
  EXPECT_EQ(mirror.requests(), 3);
}

TEST_F(CrlFetch, ACachedCrlThatDoesNotVerifyIsSetAside) {
  TlsContexts contexts(tls());
  {
    CrlServer server(served_);
    CrlFetcher f(tls(), fetch());
    ASSERT_TRUE(f.refresh(contexts).all_ok());
  }
  const std::string victim = cache_file_of("PKIoverheid Services Issuing CA");
  ASSERT_FALSE(victim.empty());
  edugate::testkit::forge_crl(pki("ca/issuing.cert.pem"), pki("ca/untrusted-root.key.pem"), dir_ + "/forged.der");
  ASSERT_EQ(std::system(("openssl crl -inform DER -in " + dir_ + "/forged.der -out " + victim).c_str()), 0);
  CrlFetcher f(tls(), fetch());
  auto outcomes = f.check_cache();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_NE(outcomes[0].reason.find("signature"), std::string::npos) << outcomes[0].reason;
  EXPECT_FALSE(fs::exists(victim));
  EXPECT_TRUE(fs::exists(victim + ".invalid"));
  EXPECT_EQ(cache_files().size(), 2u);
}

TEST(HttpGet, AnswersHaveADeadlineABodyLimitAndMustBe200) {
  std::string tmpl = (fs::temp_directory_path() / "edugate-httpget-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::shared_ptr<void> cleanup(nullptr, [&](void*) { fs::remove_all(tmpl); });
  std::ofstream(tmpl + "/big.crl") << std::string(2u << 20, 'x');
  CrlServer server(tmpl, 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port()) + "/crl/";
  auto big = http_get(base + "big.crl", 5000, 1u << 20);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("larger than"), std::string::npos) << big.error().message;
  EXPECT_TRUE(http_get(base + "big.crl", 5000, 4u << 20).ok());
  auto missing = http_get(base + "none.crl", 5000, 1u << 20);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "HTTP 404");
  server.set_delay_ms(3000);
  const auto start = std::chrono::steady_clock::now();
  auto slow = http_get(base + "big.crl", 300, 4u << 20);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(slow);
  EXPECT_NE(slow.error().message.find("timed out"), std::string::npos) << slow.error().message;
  EXPECT_LT(took, std::chrono::milliseconds(2000));
  EXPECT_FALSE(http_get("https://127.0.0.1/crl/x.crl", 300, 1024).ok());
  EXPECT_FALSE(http_get("http://user@127.0.0.1/crl/x.crl", 300, 1024).ok());
  server.stop();
}
