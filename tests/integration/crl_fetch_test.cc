// CRLs fetched from the distribution points (edukoppeling.md §3): a CRL revoking a school, put
// at the issuing CA's distribution point, makes the running provider refuse that school without
// a restart; a restart without network keeps the fetched CRLs. The distribution points of the
// example PKI are http://127.0.0.1:8099/crl/<ca>.crl (ctest RESOURCE_LOCK crl_port).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/crl_lab.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fs = std::filesystem;
namespace fx = edugate::adapters::db::fixtures;

namespace {
const std::string kPath = "/edukoppeling/leerbedrijf";
const std::string kAction = "urn:edugate:leerbedrijf:1:VerifieerErkenning";

std::string request(const std::string& from_oin) {
  EnvelopeSpec s;
  s.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=" + from_oin;
  s.body = verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BOL");
  return envelope(s);
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

struct Lab {
  std::string dir = make_temp_dir("crl-lab");
  std::string served = dir + "/served";
  Lab() { copy_pki_crls(served); }
  ~Lab() { fs::remove_all(dir); }
  ProviderOptions provider() const {
    ProviderOptions o;
    o.extra_yaml = "crl_fetch:\n  enabled: true\n  refresh_interval_s: 1\n  timeout_ms: 2000\n  cache_dir: " + dir +
                   "/cache\n  intermediates: [" + pki_dir() + "/intermediates.pem]\n";
    return o;
  }
  // The issuing CA (a copy of it) revokes school 30GR; its next CRL goes to the distribution point.
  void revoke_school_30gr() {
    CaCopy ca("issuing", dir + "/ca-issuing");
    ca.revoke(pki_dir() + "/school-30gr.cert.pem");
    ca.write_crl_der(served + "/.issuing.crl.new");
    fs::rename(served + "/.issuing.crl.new", served + "/issuing.crl");
  }
};

int status_for(unsigned short port, const std::string& stem, const std::string& oin) {
  Connection c(port, stem);
  return c.post(kPath, request(oin), kAction).status;
}

}  // namespace

TEST(CrlFetch, ANewerCrlRevokingASchoolIsAppliedWithoutRestart) {
  Lab lab;
  CrlServer server(lab.served);
  Provider p(lab.provider());
  EXPECT_EQ(count_of(p.log(), "\"crl_fetched\""), 3) << "fetched before listening: " << p.log();
  EXPECT_EQ(status_for(p.port(), "school-30gr", kSchool30gr), 200);

  lab.revoke_school_30gr();
  ASSERT_TRUE(eventually([&] { return count_of(p.log(), "\"crl_fetched\"") >= 4; }, 10000)) << p.log();
  ASSERT_TRUE(eventually([&] { return p.log().find(R"("trigger":"crl-fetch")") != std::string::npos; }, 5000));
  EXPECT_NE(status_for(p.port(), "school-30gr", kSchool30gr), 200) << "the revoked school is refused";
  EXPECT_TRUE(eventually([&] { return p.log().find("certificate revoked") != std::string::npos; }, 5000)) << p.log();
  EXPECT_EQ(status_for(p.port(), "school-25be", kSchool25be), 200) << "other schools are served";
  EXPECT_TRUE(p.alive());
}

// A peer whose issuing CA we do not configure: that CA's distribution point is only in the chain
// the peer sends. Its first handshake is refused (no CRL for that CA), the point is learned from
// that chain and fetched at once, and the next handshake gets in; a restart without network still
// knows the CA of the cached CRL.
TEST(CrlFetch, APeersDistributionPointIsFollowedWithoutBeingConfigured) {
  Lab lab;
  const std::string kOrgCa = "/C=NL/O=edugate TEST ONLY/CN=edugate TEST PKIoverheid Organisatie Issuing CA";
  std::string dir;
  {
    CrlServer server(lab.served);
    Provider p(lab.provider());
    EXPECT_EQ(p.log().find("org.crl"), std::string::npos) << "not configured anywhere";
    EXPECT_EQ(status_for(p.port(), "cdp-peer", "0000000700043AD00000"), 0);
    ASSERT_TRUE(eventually([&] { return p.log().find("tls_refused") != std::string::npos; }, 5000));
    EXPECT_NE(p.log().find(R"("ca":")" + kOrgCa + R"(","crl":"unable to get certificate CRL")"), std::string::npos)
        << p.log();
    ASSERT_TRUE(eventually([&] { return p.log().find(R"("url":"http://127.0.0.1:8099/crl/org.crl")") != std::string::npos; },
                           5000))
        << p.log();
    EXPECT_NE(p.log().find("crl_point_learned"), std::string::npos);
    EXPECT_EQ(count_of(p.log(), "crl_point_learned"), 1) << "the points we know already are not learned: " << p.log();
    ASSERT_TRUE(eventually([&] { return status_for(p.port(), "cdp-peer", "0000000700043AD00000") == 500; }, 10000))
        << p.log();
    EXPECT_FALSE(fs::is_empty(lab.dir + "/cache/learned"));
    EXPECT_EQ(status_for(p.port(), "school-25be", kSchool25be), 200);
    p.keep_dir();
    dir = p.dir();
  }
  auto options = lab.provider();
  options.dir = dir;
  Provider again(options);
  EXPECT_EQ(again.log().find("crl_cache_invalid"), std::string::npos) << again.log();
  EXPECT_EQ(status_for(again.port(), "cdp-peer", "0000000700043AD00000"), 500) << again.log();
}

TEST(CrlFetch, ARestartWithoutNetworkKeepsTheFetchedCrls) {
  Lab lab;
  std::string dir;
  {
    CrlServer server(lab.served);
    lab.revoke_school_30gr();
    Provider p(lab.provider());
    EXPECT_NE(status_for(p.port(), "school-30gr", kSchool30gr), 200);
    p.keep_dir();
    dir = p.dir();
  }
  // The distribution points are gone now.
  auto options = lab.provider();
  options.dir = dir;
  Provider again(options);
  EXPECT_NE(again.log().find("crl_fetch_failed"), std::string::npos) << again.log();
  EXPECT_NE(again.log().find("http://127.0.0.1:8099/crl/issuing.crl"), std::string::npos) << "the log names the URL";
  EXPECT_NE(again.log().find("Connection refused"), std::string::npos) << "and the reason";
  EXPECT_NE(status_for(again.port(), "school-30gr", kSchool30gr), 200) << "the cached CRL still revokes";
  EXPECT_EQ(status_for(again.port(), "school-25be", kSchool25be), 200);
  fs::remove_all(dir);
}
