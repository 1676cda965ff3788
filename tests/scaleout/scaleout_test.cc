// Scale-out (issue 8 item 2): two provider instances on one PostgreSQL database behind HAProxy in
// TCP pass-through (mode tcp, roundrobin; TLS ends at the gateways, so client certificates reach
// them). Client threads send VerifieerErkenning and BPV Monitor deliveries through HAProxy while
// SBB's systems record erkenning mutations that both instances pump into the outbox and push to a
// school's consumer. One instance is killed with SIGKILL in the middle. Then:
//  - every request answered OK is durable (its MessageID is in the message store as done; a
//    delivery's record is in the BPV Monitor database), and a resend of it is answered again;
//  - the clients saw only successes, the retryable DK0051, or connection errors;
//  - every mutation was enqueued once and reached the school's sink once (by MessageID), though the
//    killed instance held some of them: the survivor takes them over when their lease runs out.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "core/ids.h"
#include "testkit/testkit.h"

extern char** environ;

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::ordered_json;
namespace fx = edugate::adapters::db::fixtures;
using Clock = std::chrono::steady_clock;

namespace {

const char* kHaproxy = "/usr/sbin/haproxy";

unsigned short free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// HAProxy in front of the instances: layer 4 only, round robin, a TCP health check every 300 ms.
class Haproxy {
 public:
  Haproxy(const std::string& dir, std::vector<unsigned short> backends) : port_(free_port()) {
    const std::string cfg = dir + "/haproxy.cfg";
    std::ofstream f(cfg);
    f << "global\n  maxconn 2000\n"
         "defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n"
         "frontend edugate\n  bind 127.0.0.1:" << port_ << "\n  default_backend gateways\n"
         "backend gateways\n  balance roundrobin\n";
    for (std::size_t i = 0; i < backends.size(); ++i)
      f << "  server gw" << i << " 127.0.0.1:" << backends[i] << " check inter 300 fall 1 rise 2\n";
    f.close();
    std::vector<std::string> args{kHaproxy, "-f", cfg, "-db"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string log = dir + "/haproxy.log";
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, kHaproxy, &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    // Ready when it accepts.
    for (int i = 0; i < 100; ++i) {
      try {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::socket s(ioc);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
        return;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  ~Haproxy() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st;
      waitpid(pid_, &st, 0);
    }
  }
  unsigned short port() const { return port_; }
  bool running() const { return pid_ > 0; }

 private:
  unsigned short port_;
  pid_t pid_ = -1;
};

std::string in_days(int n) { return civil_from_days(days_from_civil(today_utc()) + n).str(); }

json bpv_record(const std::string& kenmerk) {
  return json{{"BpvoKenmerk", kenmerk}, {"Brin", "25BE"}, {"RioOnderwijsaanbiedercode", "123A456"},
              {"RioLocatiecode", "123X001"}, {"Opleidingscode", "25180"}, {"Leerweg", "BOL"},
              {"LeerbedrijfID", fx::kErkendId}, {"Einddatum", in_days(60)}, {"StudentVoornaam", "Test"},
              {"StudentAchternaam", "Student"}, {"StudentEmail", "student@school.example"}};
}

struct Outcome {
  std::string kind;  // ok | dk0051 | transport | other
  std::string service, operation, json_body, message_id, detail, kenmerk;
};

}  // namespace

TEST(ScaleOut, TwoInstancesBehindHaproxyLoseNothingWhenOneIsKilledMidLoad) {
  if (!use_postgres()) GTEST_SKIP() << "needs EDUGATE_TEST_STORE=postgres (the pg.* variant)";
  if (access(kHaproxy, X_OK) != 0) GTEST_SKIP() << "haproxy is not installed (deploy/install-deps.sh)";
  const auto started = Clock::now();
  // Fast outbox; the lease must outlast a send (send_timeout_ms) and be short enough to show takeover.
  ProviderOptions o;
  o.bpvmonitor = true;
  o.outbox_yaml =
      "outbox:\n  poll_ms: 50\n  senders: 4\n  backoff_initial_ms: 200\n  backoff_max_ms: 800\n"
      "  mutations_per_message: 1\n  mutation_poll_ms: 100\n  send_timeout_ms: 2000\n  lease_ms: 3000\n";
  auto a = std::make_unique<Provider>(o);
  ProviderOptions ob = o;
  ob.pg_database = a->pg_database();
  ob.onboard_defaults = false;  // the registry is in the shared database already
  Provider b(ob);
  ConsumerOptions co;
  co.provider_port = b.port();
  Consumer school(co);
  ASSERT_EQ(a->edugate({"onboard", "party", "--oin", kSchool25be, "--name", "ROC TEST Twente", "--endpoint",
                        "https://127.0.0.1:" + std::to_string(school.port())}).exit_code, 0);
  ASSERT_EQ(a->edugate({"onboard", "agreement", "--oin", kSchool25be, "--service", "leerbedrijf-mutaties"}).exit_code, 0);
  Haproxy lb(a->dir(), {a->port(), b.port()});
  ASSERT_TRUE(lb.running());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // both pumps have taken their starting point

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Outcome> outcomes;
  std::atomic<int> mutations{0};
  // SBB's systems record erkenning mutations all along: both instances pump them.
  std::thread recorder([&] {
    while (!stop) {
      std::string sql = "BEGIN;";
      for (int i = 0; i < 3; ++i)
        sql += "INSERT INTO mutaties (soort, tijdstip, leerbedrijf_id, crebo, leerweg, begindatum) VALUES "
               "('ErkenningVerleend', " + std::to_string(std::time(nullptr)) +
               ", '100000001', '25180', 'BBL', '2026-01-01');";
      sql += "COMMIT;";
      try {
        b.exec("lb", sql);
        mutations += 3;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
  });
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        Outcome out;
        out.message_id = new_message_id().str();
        if (i % 2 == 0) {
          out.service = "leerbedrijf";
          out.operation = "VerifieerErkenning";
          out.json_body = std::string(R"({"LeerbedrijfID":")") + fx::kErkendId + R"(","Crebo":")" + fx::kErkendCrebo +
                          R"(","Leerweg":"BOL"})";
        } else {
          out.service = "bpvmonitor";
          out.operation = "LeverStudentgegevensAan";
          out.kenmerk = "S" + std::to_string(t) + "-" + std::to_string(i);
          out.json_body = json{{"Studentgegeven", json::array({bpv_record(out.kenmerk)})}}.dump();
        }
        gateway::SendOptions so;
        so.message_id = *MessageId::parse(out.message_id);
        so.timeout_ms = 10000;
        auto ex = send_service_json(out.service, "school-25be", kSchool25be, lb.port(), out.operation, out.json_body, so);
        if (!ex) {
          out.kind = "transport";
          out.detail = ex.error().message;
        } else if (ex->is_fault) {
          out.kind = ex->fault_code == "DK0051" ? "dk0051" : "other";
          out.detail = ex->fault_code + " " + ex->faultstring;
        } else {
          out.kind = "ok";
        }
        std::lock_guard lock(mu);
        outcomes.push_back(std::move(out));
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(5));
  // Kill it while it holds a push (claimed, being sent), if that happens within 3 s: so the
  // survivor has something to take over.
  const std::string held_by_a = "SELECT count(*) FROM outbox WHERE state = 'pending' AND claimed_by LIKE '%:" +
                                std::to_string(a->pid()) + ":%'";
  {
    auto conn = sql::open(b.target("store"));
    for (auto until = Clock::now() + std::chrono::seconds(3); Clock::now() < until;) {
      if (conn->query(held_by_a)[0][0] != "0") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  a->keep_dir();  // the database is b's too
  a->kill_hard();
  const int outbox_before_kill = std::stoi(b.scalar("store", "SELECT count(*) FROM outbox"));
  // Pushes the killed instance had claimed: the survivor must take them over after their lease.
  const std::string held = b.scalar("store", held_by_a);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  stop = true;
  for (auto& c : clients) c.join();
  recorder.join();

  // The clients' view.
  std::map<std::string, int> kinds;
  for (const auto& out : outcomes) {
    ++kinds[out.kind];
    EXPECT_NE(out.kind, "other") << out.operation << ": " << out.detail;
  }
  EXPECT_GT(kinds["ok"], 50) << "the load did not get through";
  EXPECT_GT(outbox_before_kill, 0) << "no pushes before the kill: nothing tested";
  // Every OK answer is durable.
  std::set<std::string> done, stored;
  for (auto& r : b.query("store", "SELECT message_id FROM messages WHERE state = 'done'")) done.insert(r[0]);
  for (auto& r : b.query("bpv", "SELECT bpvo_kenmerk FROM studentgegevens WHERE status = 'actief'")) stored.insert(r[0]);
  int checked = 0;
  for (const auto& out : outcomes) {
    if (out.kind != "ok") continue;
    EXPECT_TRUE(done.count(out.message_id)) << out.operation << " " << out.message_id
                                             << " answered OK but not in the message store";
    if (!out.kenmerk.empty()) {
      EXPECT_TRUE(stored.count(out.kenmerk)) << out.kenmerk << " answered OK but not stored";
    }
    ++checked;
  }
  // Resent through HAProxy (now only the survivor): the stored answer, not a second delivery.
  int resent = 0;
  for (const auto& out : outcomes) {
    if (out.kind != "ok" || resent >= 10) continue;
    gateway::SendOptions so;
    so.message_id = *MessageId::parse(out.message_id);
    auto ex = send_service_json(out.service, "school-25be", kSchool25be, lb.port(), out.operation, out.json_body, so);
    ASSERT_TRUE(ex) << ex.error().message;
    EXPECT_FALSE(ex->is_fault) << ex->fault_code << " " << ex->faultstring;
    ++resent;
  }

  // Pushes: every recorded mutation enqueued once, and delivered once, by the survivor if need be.
  const int recorded = mutations.load();
  ASSERT_TRUE(eventually([&] { return b.scalar("store", "SELECT count(*) FROM outbox WHERE state <> 'sent'") == "0" &&
                                      b.scalar("store", "SELECT count(*) FROM outbox") == std::to_string(recorded); },
                         20000))
      << "outbox " << b.scalar("store", "SELECT count(*) || ' rows, ' || sum(CASE WHEN state = 'sent' THEN 1 ELSE 0 END) "
                                        "|| ' sent' FROM outbox")
      << ", recorded " << recorded << "\n" << b.log().substr(0, 2000);
  ASSERT_TRUE(eventually([&] {
    return sqlite_scalar(school.sink_path(), "SELECT count(*) FROM ontvangen_berichten") == std::to_string(recorded);
  }, 10000)) << sqlite_scalar(school.sink_path(), "SELECT count(*) FROM ontvangen_berichten") << " of " << recorded;
  EXPECT_EQ(sqlite_scalar(school.sink_path(), "SELECT count(DISTINCT volgnummer) FROM erkenningmutaties"),
            std::to_string(recorded));
  EXPECT_EQ(sqlite_scalar(school.sink_path(), "SELECT count(*) FROM erkenningmutaties"), std::to_string(recorded));
  // Each outbox MessageID is in the sink (the sink keeps one row per MessageID).
  std::set<std::string> sent, received;
  for (auto& r : b.query("store", "SELECT message_id FROM outbox")) sent.insert(r[0]);
  sql::Target sink;
  sink.path = school.sink_path();
  for (auto& r : sql::open(sink)->query("SELECT message_id FROM ontvangen_berichten"))
    received.insert(r[0].value_or(""));
  EXPECT_EQ(sent, received) << "the school received exactly the outbox's messages";
  // A push the killed instance had sent but not yet marked sent is sent again by the survivor: the
  // school answers it from its message store (a replay) and its sink does not see it twice. At
  // most one per sender thread of the killed instance.
  const std::string replays = sqlite_scalar(school.dir() + "/consumer.db", "SELECT count(*) FROM audit WHERE result = 'replay'");
  EXPECT_LE(std::stoi(replays), 4);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
  std::cout << "scale-out: " << outcomes.size() << " requests (ok " << kinds["ok"] << ", DK0051 " << kinds["dk0051"]
            << ", connection errors " << kinds["transport"] << "), " << checked << " OK answers checked durable, "
            << resent << " resent; " << recorded << " mutations pushed once each (" << held
            << " held by the killed instance), " << replays
            << " replayed by the school; " << seconds << " s" << std::endl;
}
