// Hot reload of the TLS material (edukoppeling.md §3, issue 6) and the connection lifetime
// (WT008): connections in flight keep what they started with; a broken file changes nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fs = std::filesystem;
namespace fx = edugate::adapters::db::fixtures;

namespace {
const std::string kPath = "/edukoppeling/leerbedrijf";
const std::string kAction = "urn:edugate:leerbedrijf:1:VerifieerErkenning";

std::string request() {
  EnvelopeSpec s;
  s.body = verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BOL");
  return envelope(s);
}

void replace_file(const std::string& target, const std::string& content) {
  std::ofstream(target + ".new") << content;
  fs::rename(target + ".new", target);
}

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}
}  // namespace

TEST(TlsReload, SighupAppliesNewTrustToNewConnectionsAndKeepsThoseInFlight) {
  ProviderOptions o;
  o.own_tls_files = true;
  Provider p(o);
  Connection before(p.port(), "school-25be");
  EXPECT_EQ(before.post(kPath, request(), kAction).status, 200);
  const std::string trust = p.dir() + "/tls/trust.pem";
  const std::string original = slurp(trust);
  // Trust only another root: no school certificate chains to it any more.
  replace_file(trust, slurp(pki_dir() + "/ca/untrusted-root.cert.pem"));
  p.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return count_of(p.log(), "tls_reloaded") >= 1; }, 5000)) << p.log();
  Connection refused(p.port(), "school-25be");
  EXPECT_NE(refused.post(kPath, request(), kAction).status, 200) << "new connections use the new trust anchors";
  EXPECT_EQ(before.post(kPath, request(), kAction).status, 200) << "a connection in flight keeps its TLS context";
  replace_file(trust, original);
  p.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return count_of(p.log(), "tls_reloaded") >= 2; }, 5000));
  Connection after(p.port(), "school-25be");
  EXPECT_EQ(after.post(kPath, request(), kAction).status, 200);
}

TEST(TlsReload, ABrokenNewFileIsRefusedAndTheOldStateKeepsServing) {
  ProviderOptions o;
  o.own_tls_files = true;
  Provider p(o);
  replace_file(p.dir() + "/tls/crls.pem", "this is not a CRL\n");
  ASSERT_TRUE(eventually([&] { return p.log().find("tls_reload_failed") != std::string::npos; }, 5000)) << p.log();
  EXPECT_NE(p.log().find("crls.pem"), std::string::npos) << "the log line names the file";
  Connection c(p.port(), "school-25be");
  EXPECT_EQ(c.post(kPath, request(), kAction).status, 200);
  EXPECT_TRUE(p.alive());
}

TEST(Conformance, WT008_AConnectionHasAMaximumLifetime) {
  ProviderOptions o;
  o.extra_http_yaml = "  max_connection_lifetime_ms: 1000\n";
  Provider p(o);
  Connection c(p.port(), "school-25be");
  EXPECT_EQ(c.post(kPath, request(), kAction).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(c.post(kPath, request(), kAction).status, 200) << "the request in progress is still answered";
  auto closed = c.post(kPath, request(), kAction);
  EXPECT_NE(closed.status, 200) << "then the connection is closed";
  Connection fresh(p.port(), "school-25be");
  EXPECT_EQ(fresh.post(kPath, request(), kAction).status, 200);
}
