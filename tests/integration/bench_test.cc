// `edugate bench` runs every scenario for a second or so against a real provider over mutual
// TLS (and against its own baseline server), and reports what it saw. These tests prove the
// benchmark works and counts right, never how fast anything is (../shared/docs/performance.md).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::json;

extern char** environ;

namespace {

const std::string kRequests = std::string(EDUGATE_SOURCE_DIR) + "/bench/requests/";
const std::string kVerifieer = kRequests + "verifieer-erkenning.json";

struct BenchRun {
  int exit_code = -1;
  json report;  // null when no report was printed
  std::string output;
};

BenchRun bench(const std::vector<std::string>& args) {
  std::vector<std::string> full{edugate_binary(), "bench", "--pki", pki_dir(), "--json"};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run(full);
  BenchRun b{r.exit_code, json(), r.output};
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("{\"url\"", 0) == 0) b.report = json::parse(line);
  return b;
}

// What every report carries, whatever the scenario.
void expect_report_fields(const json& r) {
  for (const char* key : {"url",         "service",
                          "operation",   "mode",
                          "connections", "threads",
                          "rate",        "duration_s",
                          "warmup_s",    "new_connection",
                          "resume",      "sign",
                          "requests",    "ok",
                          "errors",      "errors_by_kind",
                          "elapsed_s",   "throughput_rps",
                          "latency_ms",  "handshakes",
                          "resumed",     "resumed_fraction",
                          "client_cpu_s"})
    EXPECT_TRUE(r.contains(key)) << key << " missing in " << r.dump();
  for (const char* key : {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"})
    EXPECT_TRUE(r["latency_ms"].contains(key)) << key;
}

// A run that worked: answers, no errors, a consistent report.
json expect_clean(const BenchRun& b) {
  EXPECT_EQ(b.exit_code, 0) << b.output;
  const json& r = b.report;
  if (!r.is_object()) {
    ADD_FAILURE() << "no report: " << b.output;
    return json::object();
  }
  expect_report_fields(r);
  EXPECT_GT(r["ok"].get<int>(), 0) << r.dump();
  EXPECT_EQ(r["errors"].get<int>(), 0) << r.dump();
  EXPECT_TRUE(r["errors_by_kind"].empty()) << r.dump();
  EXPECT_EQ(r["requests"], r["ok"]);
  const auto& l = r["latency_ms"];
  EXPECT_EQ(l["count"], r["ok"]);
  EXPECT_GT(l["p50"].get<double>(), 0);
  EXPECT_LE(l["min"].get<double>(), l["p50"].get<double>());
  EXPECT_LE(l["p50"].get<double>(), l["p90"].get<double>());
  EXPECT_LE(l["p90"].get<double>(), l["p99"].get<double>());
  EXPECT_LE(l["p99"].get<double>(), l["p99_9"].get<double>());
  EXPECT_LE(l["p99_9"].get<double>(), l["max"].get<double>());
  return r;
}

class BenchScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ProviderOptions o;
    o.bpvmonitor = true;
    provider_ = new Provider(o);
  }
  static void TearDownTestSuite() {
    delete provider_;
    provider_ = nullptr;
  }
  static std::string url(const std::string& path = "/edukoppeling/leerbedrijf") {
    return "https://127.0.0.1:" + std::to_string(provider_->port()) + path;
  }
  static std::vector<std::string> school(std::vector<std::string> more) {
    std::vector<std::string> a{"--stem", "school-25be", "--url", url(), "--request", kVerifieer};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  static Provider* provider_;
};
Provider* BenchScenario::provider_ = nullptr;

}  // namespace

TEST_F(BenchScenario, VerifieerErkenningSampleIsAPositiveCheck) {
  const auto file = json::parse(std::ifstream(kVerifieer));
  EnvelopeSpec spec;
  spec.to = url() + "?oin=" + file["to_oin"].get<std::string>();
  spec.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=" + file["from_oin"].get<std::string>();
  spec.body = file["body"];
  auto r = raw_post(provider_->port(), "school-25be", "/edukoppeling/leerbedrijf", envelope(spec),
                    {{"Content-Type", "text/xml; charset=utf-8"},
                     {"SOAPAction", "\"urn:edugate:leerbedrijf:1:VerifieerErkenning\""}});
  EXPECT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_NE(r.body.find("Erkend>true<"), std::string::npos) << r.body;
}

TEST_F(BenchScenario, KeepAliveClosedLoopWithServerCpu) {
  auto r = expect_clean(bench(school({"--connections", "2", "--threads", "2", "--duration", "1", "--warmup", "0.2",
                                      "--server-pid", std::to_string(provider_->pid())})));
  EXPECT_EQ(r["mode"], "closed_loop");
  EXPECT_EQ(r["connections"], 2);
  EXPECT_EQ(r["handshakes"], 0) << "keep-alive: connected before the clock started";
  EXPECT_GT(r["throughput_rps"].get<double>(), 0);
  ASSERT_TRUE(r.contains("server")) << r.dump();
  for (const char* key :
       {"pid", "cpu_s", "cpu_cores", "cpu_ms_per_request", "rss_kb_before", "rss_kb_after", "rss_peak_kb"})
    EXPECT_TRUE(r["server"].contains(key)) << key << " in " << r["server"].dump();
  EXPECT_GT(r["server"]["rss_kb_after"].get<long>(), 0);
}

TEST_F(BenchScenario, FixedRateSendsWhatWasScheduled) {
  // A modest rate, well within what a provider under the sanitizers answers.
  auto r = expect_clean(bench(school({"--rate", "20", "--connections", "2", "--duration", "1", "--warmup", "0.2"})));
  EXPECT_EQ(r["mode"], "fixed_rate");
  EXPECT_EQ(r["rate"], 20.0);
  // 20 requests/s for one measured second: 20 due, each answered (or it would be an error).
  EXPECT_GE(r["requests"].get<int>(), 19);
  EXPECT_LE(r["requests"].get<int>(), 21);
}

TEST_F(BenchScenario, NewConnectionPerRequestIsAFullHandshakeEachTime) {
  auto r = expect_clean(bench(school({"--new-connection", "--duration", "1", "--warmup", "0.2"})));
  EXPECT_TRUE(r["new_connection"].get<bool>());
  EXPECT_GE(r["handshakes"].get<int>(), r["ok"].get<int>());
  EXPECT_EQ(r["resumed"], 0);
}

TEST_F(BenchScenario, ResumeReusesTheTlsSession) {
  auto r = expect_clean(bench(school({"--resume", "--connections", "2", "--duration", "1", "--warmup", "0.2"})));
  EXPECT_TRUE(r["resume"].get<bool>());
  EXPECT_GT(r["resumed"].get<int>(), 0) << r.dump();
  EXPECT_LE(r["resumed"].get<int>(), r["handshakes"].get<int>());
  EXPECT_GT(r["resumed_fraction"].get<double>(), 0);
}

TEST_F(BenchScenario, SignedRequestsGetSignedAnswers) {
  // The provider verifies every signature that is present and signs its answer to a signed request.
  auto r = expect_clean(bench(school({"--sign", "--duration", "1", "--warmup", "0.2"})));
  EXPECT_TRUE(r["sign"].get<bool>());
  EXPECT_EQ(r["signed_answers"], r["ok"]);
}

TEST_F(BenchScenario, LeverStudentgegevensBatchOf100IsStoredEveryTime) {
  auto r = expect_clean(bench({"--stem", "school-25be", "--url", url("/edukoppeling/bpvmonitor"), "--request",
                               kRequests + "lever-studentgegevens-100.json", "--duration", "1", "--warmup", "0"}));
  EXPECT_EQ(r["operation"], "LeverStudentgegevensAan");
  // Every request's records are new ({{seq}}) and accepted: only accepted records are stored.
  const long stored = std::stol(sqlite_scalar(
      provider_->dir() + "/bpv.db", "SELECT count(*) FROM studentgegevens WHERE bpvo_kenmerk LIKE 'BENCH-%'"));
  EXPECT_GE(stored, 100 * r["ok"].get<long>());
  EXPECT_EQ(stored % 100, 0);
}

TEST_F(BenchScenario, IdleConnectionsAndServerMemoryPerConnection) {
  auto r = expect_clean(bench(school(
      {"--idle", "50", "--threads", "1", "--duration", "0.5", "--server-pid", std::to_string(provider_->pid())})));
  EXPECT_EQ(r["mode"], "idle");
  EXPECT_EQ(r["ok"], 50) << "one request on each connection";
  ASSERT_TRUE(r.contains("idle"));
  EXPECT_EQ(r["idle"]["established"], 50);
  EXPECT_EQ(r["idle"]["open_at_end"], 50) << r.dump();
  ASSERT_TRUE(r.contains("server"));
  EXPECT_TRUE(r["server"].contains("rss_delta_kb_per_connection")) << r.dump();
  EXPECT_TRUE(r["server"].contains("rss_kb_before"));
}

TEST_F(BenchScenario, FaultsAreCountedByTheirCode) {
  // 21CA's certificate with a request whose wsa:From is 25BE: every answer is a fault.
  auto b =
      bench({"--stem", "school-21ca", "--url", url(), "--request", kVerifieer, "--duration", "0.5", "--warmup", "0"});
  EXPECT_EQ(b.exit_code, 3) << b.output;
  ASSERT_TRUE(b.report.is_object()) << b.output;
  expect_report_fields(b.report);
  EXPECT_EQ(b.report["ok"], 0);
  EXPECT_GT(b.report["errors"].get<int>(), 0);
  ASSERT_EQ(b.report["errors_by_kind"].size(), 1u) << b.report.dump();
  EXPECT_EQ(b.report["errors_by_kind"].begin().key().rfind("soap_fault:", 0), 0u) << b.report.dump();
  EXPECT_EQ(b.report["errors_by_kind"].begin().value(), b.report["errors"]);
}

TEST(BenchBaselineServer, ServesKeepAliveAndResumedConnectionsUntilSigterm) {
  const std::string dir = make_temp_dir("baseline");
  const std::string port_file = dir + "/port", out = dir + "/out.txt";
  std::vector<std::string> args{edugate_binary(), "bench", "--baseline-server", "--stem", "sbb", "--pki", pki_dir(),
                                "--threads",      "2",     "--port-file",       port_file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(port_file); }, 10000));
  const std::string port = [&] {
    std::ifstream in(port_file);
    std::string p;
    in >> p;
    return p;
  }();
  std::string printed;
  std::getline(std::ifstream(out), printed);
  EXPECT_EQ(printed, "{\"event\":\"listening\",\"port\":" + port + "}");

  const std::string url = "https://127.0.0.1:" + port + "/edukoppeling/leerbedrijf";
  auto keep = expect_clean(bench({"--stem", "school-25be", "--url", url, "--request", kVerifieer, "--connections", "2",
                                  "--duration", "1", "--warmup", "0.2", "--server-pid", std::to_string(pid)}));
  EXPECT_TRUE(keep["server"].contains("cpu_ms_per_request")) << keep.dump();
  auto resumed = expect_clean(bench({"--stem", "school-25be", "--url", url, "--request", kVerifieer, "--resume",
                                     "--duration", "1", "--warmup", "0.2"}));
  EXPECT_GT(resumed["resumed"].get<int>(), 0) << "the baseline server issues session tickets too";

  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_TRUE(eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 5000));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::filesystem::remove_all(dir);
}
