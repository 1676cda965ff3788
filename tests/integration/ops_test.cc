// Operations (issue 8): the admin listener's /healthz, /readyz and /metrics (checked with
// Debian's promtool), and the graceful shutdown on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fx = edugate::adapters::db::fixtures;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string kVerifieer = std::string(R"({"LeerbedrijfID":")") + fx::kErkendId + R"(","Crebo":")" + fx::kErkendCrebo +
                               R"(","Leerweg":"BOL"})";

ProviderOptions with_admin(const std::string& admin_yaml = "") {
  ProviderOptions o;
  o.admin = true;
  o.admin_yaml = admin_yaml;
  return o;
}

// The example PKI's CRLs without the stale CA's (which is past its nextUpdate on purpose).
std::string fresh_crls() {
  const std::string dir = make_temp_dir("crls");
  std::ofstream out(dir + "/crls.pem");
  for (const char* ca : {"root", "domain", "issuing"}) {
    std::ifstream in(pki_dir() + "/crl/" + ca + ".crl.pem");
    out << in.rdbuf();
  }
  return dir + "/crls.pem";
}

// The value of one sample (the whole "name{labels}" as written), or -1 when absent.
double sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

bool port_refuses(unsigned short port) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  return ec == boost::asio::error::connection_refused;
}

// Holds the store's write lock (as a long transaction of another process would), so requests
// wait inside the pipeline: they are "in flight".
class SqliteWriteLock {
 public:
  explicit SqliteWriteLock(const std::string& path) {
    sqlite3_open(path.c_str(), &db_);
    sqlite3_busy_timeout(db_, 5000);
    ok_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  void release() {
    if (db_) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_close(db_);
      db_ = nullptr;
    }
  }
  ~SqliteWriteLock() { release(); }
  bool ok() const { return ok_; }

 private:
  sqlite3* db_ = nullptr;
  bool ok_ = false;
};

}  // namespace

TEST(Admin, HealthzAndReadyzWhenAllIsWell) {
  auto o = with_admin();
  o.crls = fresh_crls();
  Provider p(o);
  ASSERT_NE(p.admin_port(), 0) << p.log();
  EXPECT_NE(p.admin_port(), p.port());
  auto h = http_get(p.admin_port(), "/healthz");
  EXPECT_EQ(h.status, 200) << h.error;
  EXPECT_EQ(h.body, "ok\n");
  auto r = http_get(p.admin_port(), "/readyz");
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  auto j = json::parse(r.body);
  EXPECT_TRUE(j["ready"]);
  std::set<std::string> names;
  for (const auto& c : j["checks"]) {
    names.insert(c["name"]);
    EXPECT_TRUE(c["ok"]) << c.dump();
  }
  EXPECT_EQ(names, (std::set<std::string>{"store", "certificate", "crls"}));
  EXPECT_EQ(http_get(p.admin_port(), "/elders").status, 404);
  EXPECT_NE(raw_post(p.admin_port(), "school-25be", "/healthz", "").status, 200) << "the admin port speaks no TLS";
}

TEST(Admin, ReadyzIs503WhenTheCertificateExpiresWithinMinCertDays) {
  auto o = with_admin("  min_cert_days: 100000\n");
  o.crls = fresh_crls();
  Provider p(o);
  auto r = http_get(p.admin_port(), "/readyz");
  ASSERT_EQ(r.status, 503) << r.body << r.error;
  auto j = json::parse(r.body);
  EXPECT_FALSE(j["ready"]);
  for (const auto& c : j["checks"]) {
    if (c["name"] == "certificate") {
      EXPECT_FALSE(c["ok"]);
      EXPECT_NE(c["detail"].get<std::string>().find("min_cert_days is 100000"), std::string::npos) << c.dump();
    } else {
      EXPECT_TRUE(c["ok"]) << c.dump();
    }
  }
  EXPECT_EQ(http_get(p.admin_port(), "/healthz").status, 200) << "alive, only not ready";
}

TEST(Admin, ReadyzIs503WhenACrlIsPastItsNextUpdate) {
  Provider p(with_admin());  // the example PKI's crls.pem holds the stale CA's expired CRL
  auto r = http_get(p.admin_port(), "/readyz");
  ASSERT_EQ(r.status, 503) << r.body << r.error;
  auto j = json::parse(r.body);
  bool crls_failed = false;
  for (const auto& c : j["checks"])
    if (c["name"] == "crls") {
      crls_failed = !c["ok"];
      EXPECT_NE(c["detail"].get<std::string>().find("Stale Issuing CA"), std::string::npos) << c.dump();
      EXPECT_EQ(c["detail"].get<std::string>().find("Issuing CA;"), std::string::npos) << "only the stale one: " << c.dump();
    }
  EXPECT_TRUE(crls_failed) << r.body;

  // An operator who accepts that (one CA's peers refused, the rest served) can say so.
  auto o = with_admin("  ready_requires_fresh_crls: false\n");
  Provider lenient(o);
  EXPECT_EQ(http_get(lenient.admin_port(), "/readyz").status, 200);
}

// The root CA has no CRL: every client chain (issuing → domain → root) is refused in the
// handshake. /readyz says so, naming the CA, and the refused handshake names it too.
TEST(Admin, ReadyzNamesAConfiguredCaWithoutACrlAndTheRefusedHandshakeNamesItToo) {
  auto o = with_admin();
  const std::string dir = make_temp_dir("crls");
  {
    std::ofstream out(dir + "/crls.pem");
    for (const char* ca : {"domain", "issuing"}) out << std::ifstream(pki_dir() + "/crl/" + ca + ".crl.pem").rdbuf();
  }
  o.crls = dir + "/crls.pem";
  Provider p(o);
  auto r = http_get(p.admin_port(), "/readyz");
  ASSERT_EQ(r.status, 503) << r.body << r.error;
  bool named = false;
  const auto readyz = json::parse(r.body);
  for (const auto& c : readyz["checks"])
    if (c["name"] == "crls") {
      EXPECT_FALSE(c["ok"]) << c.dump();
      named = c["detail"].get<std::string>().find("no CRL for CA '/C=NL/O=edugate TEST ONLY/CN=edugate TEST Private Root CA - G1'") !=
              std::string::npos;
      EXPECT_TRUE(named) << c.dump();
    }
  EXPECT_TRUE(named) << r.body;
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", R"({"LeerbedrijfID":"100000001","Crebo":"25180","Leerweg":"BOL"})");
  EXPECT_FALSE(ex) << "refused in the handshake";
  EXPECT_TRUE(eventually([&] { return p.log().find(R"("ca":"/C=NL/O=edugate TEST ONLY/CN=edugate TEST Private Root CA - G1","crl":"unable to get certificate CRL")") != std::string::npos; }, 5000))
      << p.log();
  std::filesystem::remove_all(dir);
}

TEST(Admin, NoAdminListenerUnlessConfigured) {
  Provider p;
  EXPECT_EQ(p.admin_port(), 0);
  EXPECT_EQ(p.log().find("admin_listening"), std::string::npos);
}

TEST(Admin, MetricsCountRequestsFaultsAndHandshakesAndPassPromtool) {
  Provider p(with_admin());
  const auto port = p.admin_port();
  auto before = http_get(port, "/metrics");
  ASSERT_EQ(before.status, 200) << before.error;
  EXPECT_EQ(before.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  const std::string ok = R"(edugate_requests_total{service="leerbedrijf",action="VerifieerErkenning",outcome="ok"})";
  EXPECT_EQ(sample(before.body, ok), -1) << "no such request yet";

  for (int i = 0; i < 3; ++i) {
    auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer);
    ASSERT_TRUE(ex && !ex->is_fault);
  }
  auto melding = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning",
                           R"({"LeerbedrijfID":"12AB","Crebo":"25180","Leerweg":"BOL"})");
  ASSERT_TRUE(melding && !melding->is_fault);
  EXPECT_EQ(raw_post(p.port(), "school-25be", "/edukoppeling/leerbedrijf", "<niet-af").status, 500);  // DK0001
  EnvelopeSpec from_21ca;
  from_21ca.from = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSchool21ca;
  auto no_agreement = raw_post(p.port(), "school-21ca", "/edukoppeling/leerbedrijf", envelope(from_21ca));
  EXPECT_EQ(fault_code(no_agreement.body), "DK0002") << no_agreement.body;
  EXPECT_FALSE(raw_post(p.port(), "revoked", "/edukoppeling/leerbedrijf", envelope({})).error.empty());

  auto after = http_get(port, "/metrics");
  ASSERT_EQ(after.status, 200);
  const auto& m = after.body;
  EXPECT_EQ(sample(m, ok), 3) << m;
  EXPECT_EQ(sample(m, R"(edugate_requests_total{service="leerbedrijf",action="VerifieerErkenning",outcome="melding"})"), 1);
  EXPECT_EQ(sample(m, R"(edugate_requests_total{service="leerbedrijf",action="unknown",outcome="fault:DK0001"})"), 1);
  EXPECT_EQ(sample(m, R"(edugate_requests_total{service="leerbedrijf",action="VerifieerErkenning",outcome="fault:DK0002"})"), 1);
  EXPECT_EQ(sample(m, R"(edugate_request_duration_seconds_count{service="leerbedrijf"})"), 6);
  EXPECT_EQ(sample(m, R"(edugate_request_duration_seconds_bucket{service="leerbedrijf",le="+Inf"})"), 6);
  EXPECT_TRUE(eventually([&] {
    return sample(http_get(port, "/metrics").body, R"(edugate_tls_handshake_failures_total{reason="certificate_revoked"})") == 1;
  }, 5000));
  EXPECT_NE(m.find("\nedugate_build_info{version=\""), std::string::npos);
  EXPECT_GT(sample(m, "edugate_uptime_seconds"), -1);
  EXPECT_EQ(sample(m, "edugate_store_up"), 1);
  EXPECT_EQ(sample(m, "edugate_shutting_down"), 0);
  EXPECT_GT(sample(m, "edugate_connections_open"), -1);
  // Own certificate: some 800 days left in the example PKI; the stale CA's CRL is past due.
  std::smatch own;
  ASSERT_TRUE(std::regex_search(m, own, std::regex(R"(\nedugate_certificate_expiry_seconds\{certificate="own",subject="[^"]*"\} (-?[0-9]+))")));
  EXPECT_GT(std::stod(own[1]), 30.0 * 86400);
  EXPECT_NE(m.find("edugate_certificate_expiry_seconds{certificate=\"trust_anchor\""), std::string::npos);
  std::smatch stale;
  ASSERT_TRUE(std::regex_search(m, stale, std::regex(R"(\nedugate_crl_next_update_seconds\{issuer="[^"]*Stale Issuing CA[^"]*"\} (-?[0-9]+))")))
      << m;
  EXPECT_LT(std::stod(stale[1]), 0);
  EXPECT_NE(m.find("\nedugate_crl_age_seconds{issuer="), std::string::npos);

  // The outbox, read from the store on scrape: a push to a school that is not there.
  auto sql = run({"/usr/bin/sqlite3", "-cmd", ".timeout 5000", p.store_path(),
                  "INSERT INTO outbox (destination_oin, endpoint, service, operation, body, message_id, state, attempts, created_ms, "
                  "next_attempt_ms, sent_ms, last_error) VALUES ('" + std::string(kSchool30gr) +
                      "', 'https://127.0.0.1:1', 'schoolontvangst', 'OntvangErkenningmutaties', '<x/>', 'urn:uuid:" +
                      new_message_id().str().substr(9) + "', 'pending', 0, (strftime('%s','now') - 120) * 1000, "
                      "(strftime('%s','now') + 3600) * 1000, 0, '')"});
  ASSERT_EQ(sql.exit_code, 0) << sql.output;
  auto with_outbox = http_get(port, "/metrics").body;
  EXPECT_EQ(sample(with_outbox, R"(edugate_outbox_depth{destination=")" + std::string(kSchool30gr) + "\"}"), 1) << with_outbox;
  EXPECT_GE(sample(with_outbox, R"(edugate_outbox_oldest_age_seconds{destination=")" + std::string(kSchool30gr) + "\"}"), 119);

  // promtool (Debian package prometheus) reads the exposition as Prometheus does, and lints it.
  if (!fs::exists("/usr/bin/promtool")) GTEST_SKIP() << "promtool missing: deploy/install-deps.sh installs prometheus";
  const std::string dir = make_temp_dir("promtool");
  std::ofstream(dir + "/metrics.txt") << with_outbox;
  auto check = run({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + dir + "/metrics.txt"});
  fs::remove_all(dir);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "") << "no lint findings";
}

TEST(Shutdown, SigtermAnswersRequestsInFlightClosesIdleConnectionsRefusesNewOnesAndExitsZero) {
  auto o = with_admin();
  o.extra_yaml = "shutdown_grace_ms: 8000\n";
  Provider p(o);
  const auto admin = p.admin_port();
  // An idle keep-alive connection: answered once, then waiting for a next request.
  Connection idle(p.port(), "school-25be");
  ASSERT_EQ(idle.post("/edukoppeling/leerbedrijf", envelope({}), "").status, 200);

  SqliteWriteLock lock(p.store_path());
  ASSERT_TRUE(lock.ok());
  constexpr int kRequests = 6;  // more than the 4 workers: some wait in the queue
  std::vector<RawResponse> answers(kRequests);
  std::vector<std::thread> clients;
  for (int i = 0; i < kRequests; ++i)
    clients.emplace_back([&, i] {
      Connection c(p.port(), "school-25be");
      answers[static_cast<std::size_t>(i)] = c.post("/edukoppeling/leerbedrijf", envelope({}), "");
    });
  // (No ASSERT while the clients run: they are joined below whatever happens.)
  EXPECT_TRUE(eventually([&] { return sample(http_get(admin, "/metrics").body, "edugate_requests_in_flight") == kRequests; }, 10000))
      << "the admin answers while every worker waits for the store";

  const auto sigterm = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  EXPECT_TRUE(eventually([&] { return port_refuses(p.port()); }, 2000)) << "the service port is closed at once";
  EXPECT_TRUE(eventually([&] { return http_get(admin, "/readyz").status == 503; }, 2000));
  auto readyz = json::parse(http_get(admin, "/readyz").body);
  EXPECT_EQ(readyz["checks"][0]["name"], "shutting_down") << readyz.dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto late = idle.post("/edukoppeling/leerbedrijf", envelope({}), "");
  EXPECT_EQ(late.status, 0) << "the idle connection was closed, not kept for another request";
  EXPECT_FALSE(late.error.empty());
  EXPECT_TRUE(p.alive()) << "requests are still in flight";

  lock.release();  // the requests in flight can finish now
  for (auto& t : clients) t.join();
  for (const auto& a : answers) {
    EXPECT_EQ(a.status, 200) << a.error << a.body.substr(0, 300);
    EXPECT_NE(a.body.find("VerifieerErkenningAntwoord"), std::string::npos);
    EXPECT_EQ(a.headers.count("connection") ? a.headers.at("connection") : "", "close") << "the connection's last answer";
  }
  const int code = p.wait_exit(10000);
  const auto took = std::chrono::steady_clock::now() - sigterm;
  EXPECT_EQ(code, 0) << p.log();
  EXPECT_LT(took, std::chrono::milliseconds(8000)) << "well within shutdown_grace_ms once the work was done";
  const std::string log = p.log();
  EXPECT_NE(log.find(R"("event":"stopping")"), std::string::npos);
  EXPECT_NE(log.find(R"("event":"drained","how":"complete")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("event":"stopped")"), std::string::npos);
  // Every answer is durable: 1 + 6 answered requests in the audit.
  EXPECT_EQ(sqlite_scalar(p.store_path(), "SELECT count(*) FROM audit WHERE result = 'ok'"), std::to_string(1 + kRequests));
}

TEST(Shutdown, AtTheDeadlineWorkStillInHandIsCutOffAndTheExitIsStillClean) {
  ProviderOptions o;
  o.extra_yaml = "shutdown_grace_ms: 300\n";
  Provider p(o);
  SqliteWriteLock lock(p.store_path());
  ASSERT_TRUE(lock.ok());
  std::thread client([&] { (void)raw_post(p.port(), "school-25be", "/edukoppeling/leerbedrijf", envelope({})); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto sigterm = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  lock.release();
  const int code = p.wait_exit(10000);
  client.join();
  EXPECT_EQ(code, 0) << p.log();
  EXPECT_LT(std::chrono::steady_clock::now() - sigterm, std::chrono::seconds(7));
  EXPECT_NE(p.log().find(R"("event":"drained","how":"deadline")"), std::string::npos) << p.log();
}

// The store stays locked past the deadline (the committer and the workers wait for it): the
// process still ends within shutdown_grace_ms + 1 s, nothing uncommitted is answered, and the
// resend with the same MessageID after a restart is answered once.
TEST(Shutdown, WithTheStoreLockedPastTheDeadlineTheProcessEndsWithinTheGracePlusOneSecond) {
  ProviderOptions o;
  o.extra_yaml = "shutdown_grace_ms: 400\n";
  auto p = std::make_unique<Provider>(o);
  p->keep_dir();
  const std::string dir = p->dir();
  EnvelopeSpec spec;
  spec.message_id = "urn:uuid:0b1e5a8e-6f0a-4c51-9a53-3c1d2e4f5a60";
  const std::string request = envelope(spec);
  std::optional<RawResponse> first;
  {
    SqliteWriteLock lock(p->store_path());
    ASSERT_TRUE(lock.ok());
    std::thread client([&] {
      Connection c(p->port(), "school-25be");
      first = c.post("/edukoppeling/leerbedrijf", request, "");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // answered, waiting to be committed
    const auto sigterm = std::chrono::steady_clock::now();
    p->signal(SIGTERM);
    const int code = p->wait_exit(10000);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sigterm).count();
    client.join();
    EXPECT_EQ(code, 0) << p->log();
    EXPECT_LE(ms, 400 + 1000) << p->log();
    EXPECT_NE(p->log().find(R"("event":"cut_off")"), std::string::npos) << p->log();
    ASSERT_TRUE(first);
    EXPECT_NE(first->status, 200) << "no answer leaves before it is durable";
  }  // the lock goes
  EXPECT_EQ(sqlite_scalar(dir + "/edugate.db", "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(sqlite_scalar(dir + "/edugate.db", "SELECT count(*) FROM audit"), "0");
  p.reset();
  ProviderOptions again = o;
  again.dir = dir;
  Provider restarted(again);
  Connection c(restarted.port(), "school-25be");
  EXPECT_EQ(c.post("/edukoppeling/leerbedrijf", request, "").status, 200) << restarted.log();
  EXPECT_EQ(c.post("/edukoppeling/leerbedrijf", request, "").status, 200) << "the replay: the stored answer";
  EXPECT_EQ(sqlite_scalar(restarted.store_path(), "SELECT count(*) FROM audit WHERE result = 'ok'"), "1");
}

TEST(Shutdown, TheOutboxAttemptInHandEndsWithItsOutcomeCommitted) {
  // A school whose endpoint accepts connections and never answers: the attempt runs until
  // outbox.send_timeout_ms.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor black_hole(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  ProviderOptions o;
  o.bpvmonitor = true;
  o.outbox_yaml = "outbox:\n  poll_ms: 50\n  send_timeout_ms: 2000\n";
  o.extra_yaml = "shutdown_grace_ms: 6000\n";
  Provider p(o);
  ASSERT_EQ(p.edugate({"onboard", "party", "--oin", kSchool25be, "--name", "ROC TEST Twente", "--endpoint",
                       "https://127.0.0.1:" + std::to_string(black_hole.local_endpoint().port())})
                .exit_code, 0);
  ASSERT_EQ(p.edugate({"publish-results", "--period", "2026-K2"}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the attempt is under way
  const auto sigterm = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(10000), 0) << p.log();
  EXPECT_LT(std::chrono::steady_clock::now() - sigterm, std::chrono::seconds(6));
  // Not half-written: the attempt is recorded as failed and the message waits for the next start.
  EXPECT_EQ(sqlite_scalar(p.store_path(), "SELECT state || ':' || attempts FROM outbox"), "pending:1") << p.log();
  EXPECT_NE(sqlite_scalar(p.store_path(), "SELECT last_error FROM outbox"), "");
}
