// The http_json backend adapter in a real provider: requests over mutual TLS, the typed request
// forwarded as JSON to a backend this test runs (testkit::JsonBackend), and what the school gets
// back when that backend answers, refuses, fails, stalls or talks nonsense.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/ids.h"
#include "testkit/json_backend.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::json;
using Reply = JsonBackend::Reply;

extern char** environ;

namespace {

const char* kToken = "test-token-4711";

// Settings for one service's http_json block (indented under services.<name>.settings).
std::string http_json_service(const std::string& name, const std::string& url, const std::string& extra = "") {
  return "  " + name + ":\n    adapter: http_json\n    settings:\n      url: " + url + "\n" + extra;
}

// A provider whose three services go to `url`/sbb; the mutation pump runs once at start only.
ProviderOptions options_for(const std::string& url, const std::string& extra = "", int timeout_ms = 2000) {
  ::setenv("EDUGATE_TEST_BACKEND_TOKEN", kToken, 1);
  ProviderOptions o;
  o.bpvmonitor = true;
  o.praktijkloket = true;
  const std::string common = "      timeout_ms: " + std::to_string(timeout_ms) + "\n      backoff_ms: 10\n      auth: {token_env: EDUGATE_TEST_BACKEND_TOKEN}\n" + extra;
  o.services_yaml = http_json_service("leerbedrijf", url + "/sbb", common) + http_json_service("bpvmonitor", url + "/sbb", common) +
                    http_json_service("praktijkloket", url + "/sbb", common);
  o.outbox_yaml = "outbox:\n  mutation_poll_ms: 3600000\n";
  return o;
}

const json kVerifieer = {{"LeerbedrijfID", "100000001"}, {"Crebo", "25180"}, {"Leerweg", "BOL"}};
// A voordracht (a write): the request of the tests about writes.
const json kVoordracht = {{"KvkNummer", "87654321"},
                          {"Naam", "Fietsenmakerij De Spaak"},
                          {"Adres", {{"Straat", "Dorpsstraat"}, {"Huisnummer", "1"}, {"Postcode", "7511 AA"}, {"Plaats", "Enschede"}}},
                          {"Crebo", "25180"},
                          {"Leerweg", "BBL"},
                          {"Contactpersoon", {{"Naam", "J. Jansen"}, {"Email", "info@spaak.example"}}}};
const json kErkend = {{"erkend", true},
                      {"signaal_code", "ERKEND"},
                      {"signaal_omschrijving", "Erkend volgens de backend"},
                      {"begindatum", "2021-08-01"},
                      {"einddatum", "2031-07-31"},
                      {"meldingen", json::array()}};

// The usual answers; the pump's mutation reads always succeed (they must not move the breaker).
Reply sbb(const JsonBackend::Request& r) {
  if (r.target.ends_with("/leerbedrijf/mutaties")) return {200, R"({"laatste_volgnummer":0,"mutaties":[]})"};
  if (r.target.ends_with("/leerbedrijf/verifieer")) return {200, kErkend.dump()};
  if (r.target.ends_with("/leerbedrijf/identificeer"))
    return {200, json{{"leerbedrijven",
                       {{{"id", "100000002"}, {"naam", "Backend Bakkerij BV"}, {"kvk", "12345678"},
                         {"adres", {{"straat", "Molenstraat"}, {"huisnummer", "7"}, {"postcode", "8011AA"}, {"plaats", "Zwolle"}}}}}}}
                     .dump()};
  if (r.target.ends_with("/bpvmonitor/resultaten"))
    return {200, json{{"minimale_respons", 10},
                      {"cellen", {{{"thema", "begeleiding"}, {"groep", "student"}, {"aantal", 12}, {"onderdrukt", false},
                                   {"gemiddelde", 7.5}, {"landelijk", 7.1}}}}}
                     .dump()};
  if (r.target.ends_with("/praktijkloket/kwalificaties"))
    return {200, json{{"waarde", {{{"crebo", "25180"}, {"versie", "2024"}, {"naam", "Backend-kwalificatie"}, {"actueel", true}}}}}
                     .dump()};
  return {404, R"({"title":"unknown"})"};
}

// Replies with `failing` for `suffix` and as sbb() otherwise.
JsonBackend::Handler failing_on(const std::string& suffix, Reply failing) {
  return [suffix, failing](const JsonBackend::Request& r) { return r.target.ends_with(suffix) ? failing : sbb(r); };
}

Result<gateway::Exchange> verifieer(const Provider& p) {
  return send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer.dump());
}

void expect_dk0051(const Result<gateway::Exchange>& ex) {
  ASSERT_TRUE(ex) << ex.error().code << " " << ex.error().message;
  EXPECT_EQ(ex->http_status, 500);
  EXPECT_TRUE(ex->is_fault);
  EXPECT_EQ(ex->fault_code, "DK0051") << ex->faultstring;
  EXPECT_NE(ex->faultcode.find("Server"), std::string::npos) << ex->faultcode;
}

json answer(const Result<gateway::Exchange>& ex) {
  EXPECT_TRUE(ex) << (ex ? "" : ex.error().code + " " + ex.error().message);
  if (!ex) return json();
  EXPECT_EQ(ex->http_status, 200) << ex->response;
  EXPECT_FALSE(ex->is_fault) << ex->faultstring;
  return json::parse(body_json(*ex));
}

// Waits until the mutation pump's start-up reads are done, so they cannot interleave with a test.
void pump_settled(const JsonBackend& b) {
  ASSERT_TRUE(eventually([&] { return b.hits("/leerbedrijf/mutaties") >= 2; }, 10000));
}

unsigned short closed_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();  // closed again when `a` goes
}

}  // namespace

TEST(HttpJsonBackend, VerifieerAnswerEqualsTheBackendsData) {
  JsonBackend backend(sbb);
  Provider p(options_for(backend.url()));
  auto b = answer(verifieer(p));
  EXPECT_EQ(b["Erkend"], true) << b.dump();
  EXPECT_EQ(b["SignaalCode"], "ERKEND");
  EXPECT_EQ(b["SignaalOmschrijving"], "Erkend volgens de backend");
  EXPECT_EQ(b["Begindatum"], "2021-08-01");
  EXPECT_EQ(b["Einddatum"], "2031-07-31");
  // What the backend received: the typed request as JSON, with the configured bearer token.
  std::optional<JsonBackend::Request> seen;
  for (const auto& r : backend.requests())
    if (r.target == "/sbb/leerbedrijf/verifieer") seen = r;
  ASSERT_TRUE(seen);
  auto req = json::parse(seen->body);
  EXPECT_EQ(req["id"], "100000001");
  EXPECT_EQ(req["crebo"], "25180");
  EXPECT_EQ(req["leerweg"], "BOL");
  EXPECT_EQ(req["peildatum"], today_utc().str());
  EXPECT_EQ(seen->headers["authorization"], std::string("Bearer ") + kToken);
  EXPECT_EQ(seen->headers["content-type"], "application/json");
  EXPECT_EQ(p.log().find(kToken), std::string::npos) << "the token must never be logged";
}

TEST(HttpJsonBackend, IdentificeerAnswerEqualsTheBackendsData) {
  JsonBackend backend(sbb);
  Provider p(options_for(backend.url()));
  auto b = answer(send_json("school-25be", kSchool25be, p.port(), "IdentificeerLeerbedrijf", R"({"LeerbedrijfID":"100000002"})"));
  ASSERT_EQ(b["Leerbedrijf"].size(), 1u) << b.dump();
  EXPECT_EQ(b["Leerbedrijf"][0]["LeerbedrijfID"], "100000002");
  EXPECT_EQ(b["Leerbedrijf"][0]["Naam"], "Backend Bakkerij BV");
  EXPECT_EQ(b["Leerbedrijf"][0]["KvkNummer"], "12345678");
  EXPECT_EQ(b["Leerbedrijf"][0]["Adres"]["Plaats"], "Zwolle");
}

TEST(HttpJsonBackend, BpvMonitorAndPraktijkloketReadsGoToTheBackend) {
  JsonBackend backend(sbb);
  Provider p(options_for(backend.url()));
  auto r = answer(send_service_json("bpvmonitor", "school-25be", kSchool25be, p.port(), "VraagResultatenOp",
                                    R"({"Filter":{"Periode":"2026-K2"}})"));
  ASSERT_EQ(r["Themaresultaat"].size(), 1u) << r.dump();
  EXPECT_EQ(r["Themaresultaat"][0]["Gemiddelde"], 7.5);
  EXPECT_EQ(r["Themaresultaat"][0]["Aantal"], 12);
  bool resultaten_seen = false;
  for (const auto& q : backend.requests())
    if (q.target == "/sbb/bpvmonitor/resultaten") {
      auto body = json::parse(q.body);
      resultaten_seen = body["brin"] == "25BE" && body["filter"]["periode"] == "2026-K2";
    }
  EXPECT_TRUE(resultaten_seen) << "the BRIN comes from the school's OIN, the period from the request";
  auto k = answer(send_service_json("praktijkloket", "school-25be", kSchool25be, p.port(), "GeefKwalificaties", "{}"));
  ASSERT_EQ(k["Kwalificatie"].size(), 1u) << k.dump();
  EXPECT_EQ(k["Kwalificatie"][0]["Naam"], "Backend-kwalificatie");
  EXPECT_EQ(backend.hits("/praktijkloket/kwalificaties"), 1);
}

TEST(HttpJsonBackend, KeepAliveConnectionIsReusedByAWorkerThread) {
  JsonBackend backend(sbb);
  ProviderOptions o = options_for(backend.url());
  o.worker_threads = 1;  // every backend call on one thread: one connection for all of them
  Provider p(o);
  pump_settled(backend);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(answer(verifieer(p))["Erkend"], true);
  EXPECT_EQ(backend.hits("/verifieer"), 5);
  EXPECT_EQ(backend.connections(), 1) << "no connection per request";
}

TEST(HttpJsonBackend, BusinessRefusalBecomesMeldingenInANormalAnswer) {
  JsonBackend backend(failing_on("/verifieer", {422,
                                                R"({"type":"about:blank","title":"geweigerd","status":422,"meldingen":[)"
                                                R"({"code":"LB-ONBEKEND","ernst":"fout","tekst":"onbekend leerbedrijf","veld":"LeerbedrijfID"}]})",
                                                "application/problem+json"}));
  Provider p(options_for(backend.url()));
  auto b = answer(verifieer(p));
  EXPECT_EQ(b["Erkend"], false);
  ASSERT_TRUE(b.contains("Melding")) << b.dump();
  EXPECT_EQ(b["Melding"][0]["Code"], "LB-ONBEKEND");
  EXPECT_EQ(b["Melding"][0]["Veld"], "LeerbedrijfID");
}

TEST(HttpJsonBackend, BackendDownGivesRetryableDK0051) {
  Provider p(options_for("http://127.0.0.1:" + std::to_string(closed_port())));
  expect_dk0051(verifieer(p));
  EXPECT_NE(p.log().find("backend_unavailable"), std::string::npos);
  EXPECT_NE(p.log().find("cannot connect"), std::string::npos) << p.log();
}

TEST(HttpJsonBackend, SlowBackendGivesDK0051WithinAboutTheTimeout) {
  JsonBackend backend(failing_on("/verifieer", {200, kErkend.dump(), "application/json", 4000}));
  Provider p(options_for(backend.url(), "      retries: 2\n", 600));
  auto start = std::chrono::steady_clock::now();
  auto ex = verifieer(p);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  expect_dk0051(ex);
  EXPECT_LT(ms, 2000) << "a timed-out read is not retried: the caller has waited its time";
  EXPECT_GE(ms, 550);
  EXPECT_EQ(backend.hits("/verifieer"), 1);
  EXPECT_NE(p.log().find("no answer within timeout_ms 600"), std::string::npos);
}

// SIGTERM while a worker waits for a backend that does not answer: the process ends within
// shutdown_grace_ms + 1 s all the same (the hard stop), the request in hand goes unanswered and
// is not recorded as answered, so the school's resend is a first answer.
TEST(HttpJsonBackend, SigtermEndsWithinTheGracePlusOneSecondWhileABackendCallHangs) {
  JsonBackend backend(failing_on("/verifieer", {200, kErkend.dump(), "application/json", 6000}));
  auto o = options_for(backend.url(), "", 20000);
  o.extra_yaml = "shutdown_grace_ms: 500\n";
  Provider p(o);
  pump_settled(backend);
  std::optional<Result<gateway::Exchange>> ex;
  std::thread client([&] { ex = verifieer(p); });
  // (No ASSERT while the client runs: it is joined below whatever happens.)
  EXPECT_TRUE(eventually([&] { return backend.hits("/verifieer") == 1; }, 5000)) << "the worker waits for the backend";
  const auto sigterm = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  const int code = p.wait_exit(10000);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sigterm).count();
  client.join();
  EXPECT_EQ(code, 0) << p.log();
  EXPECT_LE(ms, 500 + 1000) << p.log();
  ASSERT_TRUE(ex);
  EXPECT_FALSE(*ex && (*ex)->http_status == 200) << "no answer leaves that was not committed";
  EXPECT_NE(p.log().find(R"("event":"cut_off")"), std::string::npos) << p.log();
  EXPECT_EQ(p.scalar("store", "SELECT count(*) FROM audit"), "0") << "nothing recorded as answered";
}

TEST(HttpJsonBackend, ReadIsRetriedAfterA500) {
  std::atomic<int> calls{0};
  JsonBackend backend([&](const JsonBackend::Request& r) {
    if (r.target.ends_with("/verifieer") && ++calls <= 2) return Reply{500, R"({"title":"database down"})"};
    return sbb(r);
  });
  Provider p(options_for(backend.url(), "      retries: 2\n"));
  auto b = answer(verifieer(p));
  EXPECT_EQ(b["Erkend"], true) << b.dump();
  EXPECT_EQ(backend.hits("/leerbedrijf/verifieer"), 3) << "two failed attempts, then the answer";
}

TEST(HttpJsonBackend, ReadGivesUpAfterItsRetries) {
  JsonBackend backend(failing_on("/verifieer", {503, "{}"}));
  Provider p(options_for(backend.url(), "      retries: 2\n"));
  expect_dk0051(verifieer(p));
  EXPECT_EQ(backend.hits("/leerbedrijf/verifieer"), 3);
}

TEST(HttpJsonBackend, WriteIsNeverRetried) {
  JsonBackend backend(failing_on("/voordragen", {500, "{}"}));
  Provider p(options_for(backend.url(), "      retries: 3\n"));
  const json req = kVoordracht;
  expect_dk0051(send_json("school-25be", kSchool25be, p.port(), "VoordragenErkenning", req.dump()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(backend.hits("/leerbedrijf/voordragen"), 1);
  // The voordracht carries the request's MessageID as its idempotency key.
  auto body = json::parse(backend.requests().back().body);
  EXPECT_TRUE(MessageId::parse(body["bericht"].get<std::string>())) << body.dump();
  EXPECT_EQ(body["school"], kSchool25be);
}

TEST(HttpJsonBackend, CircuitOpensAfterNFailuresAndClosesAfterTheCooldown) {
  JsonBackend backend(failing_on("/verifieer", {500, "{}"}));
  Provider p(options_for(backend.url(), "      retries: 0\n      circuit_breaker: {failures: 3, cooldown_ms: 1500}\n"));
  pump_settled(backend);
  for (int i = 0; i < 3; ++i) expect_dk0051(verifieer(p));
  EXPECT_EQ(backend.hits("/verifieer"), 3);
  ASSERT_TRUE(eventually([&] { return p.log().find("backend_circuit_open") != std::string::npos; }, 2000));
  // Open: refused at once, the backend sees nothing.
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) expect_dk0051(verifieer(p));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_EQ(backend.hits("/verifieer"), 3) << "no request reaches the backend while the circuit is open";
  EXPECT_NE(p.log().find("circuit open"), std::string::npos);
  // The backend recovers; after the cool-down one trial request goes through and closes it.
  backend.set_handler(sbb);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_EQ(answer(verifieer(p))["Erkend"], true);
  EXPECT_EQ(backend.hits("/verifieer"), 4);
  EXPECT_EQ(answer(verifieer(p))["Erkend"], true);
  EXPECT_EQ(backend.hits("/verifieer"), 5);
  EXPECT_NE(p.log().find("backend_circuit_closed"), std::string::npos);
}

TEST(HttpJsonBackend, MalformedBackendJsonGivesDK0051) {
  JsonBackend backend(failing_on("/verifieer", {200, "{\"erkend\": tru"}));
  Provider p(options_for(backend.url(), "      retries: 0\n"));
  expect_dk0051(verifieer(p));
  backend.set_handler(failing_on("/verifieer", {200, R"({"erkend":"ja","begindatum":"2021-08-01"})"}));
  expect_dk0051(verifieer(p));
  backend.set_handler(failing_on("/verifieer", {200, R"({"erkend":true,"begindatum":"31-12-2021 geheim"})"}));
  expect_dk0051(verifieer(p));
  backend.set_handler(failing_on("/verifieer", {200, "[]"}));
  expect_dk0051(verifieer(p));
  backend.set_handler(failing_on("/verifieer", {404, "not here", "text/plain"}));
  expect_dk0051(verifieer(p));
  const std::string log = p.log();
  EXPECT_NE(log.find("answer is not valid JSON"), std::string::npos) << log;
  EXPECT_NE(log.find("malformed answer: /erkend"), std::string::npos) << log;
  EXPECT_NE(log.find("malformed answer: /begindatum: not a valid Datum"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP 404 without meldingen"), std::string::npos) << log;
  EXPECT_EQ(log.find("geheim"), std::string::npos) << "values from the backend are never logged";
  EXPECT_TRUE(p.alive());
}

// The https backend (tests/integration/https_json_backend.py) as a child process.
class HttpsBackend {
 public:
  HttpsBackend() : dir_(make_temp_dir("https-backend")) {
    const std::string pki = pki_dir();
    std::vector<std::string> args{"/usr/bin/python3", std::string(EDUGATE_SOURCE_DIR) + "/tests/integration/https_json_backend.py",
                                  dir_ + "/port", pki + "/sbb.chain.pem", pki + "/sbb.key.pem", pki + "/trust.pem"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) throw std::runtime_error("cannot start python3");
    if (!eventually([&] { return std::filesystem::exists(dir_ + "/port"); }, 10000)) throw std::runtime_error("https backend did not start");
    std::ifstream(dir_ + "/port") >> port_;
  }
  ~HttpsBackend() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    std::filesystem::remove_all(dir_);
  }
  unsigned short port() const { return port_; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

TEST(HttpJsonBackend, HttpsBackendIsVerifiedAndGetsTheClientCertificate) {
  HttpsBackend backend;
  const std::string pki = pki_dir();
  const std::string url = "https://127.0.0.1:" + std::to_string(backend.port());
  const std::string tls = "      tls: {ca_file: " + pki + "/trust.pem, certificate: " + pki + "/school-25be.chain.pem, private_key: " +
                          pki + "/school-25be.key.pem}\n";
  {
    Provider p(options_for(url, tls));
    auto b = answer(verifieer(p));
    EXPECT_EQ(b["Erkend"], true) << b.dump();
    EXPECT_EQ(b["SignaalOmschrijving"], std::string("client ") + kSchool25be) << "the configured client certificate was sent";
  }
  // A backend whose certificate the configured CA file does not vouch for is not talked to.
  const std::string wrong_ca = "      retries: 0\n      tls: {ca_file: " + pki + "/school-25be.cert.pem, certificate: " + pki +
                               "/school-25be.chain.pem, private_key: " + pki + "/school-25be.key.pem}\n";
  Provider p(options_for(url, wrong_ca));
  expect_dk0051(verifieer(p));
  EXPECT_NE(p.log().find("certificate verify failed"), std::string::npos) << p.log();
}

TEST(HttpJsonBackend, ConfigErrorsNameTheKey) {
  ProviderOptions o = options_for("http://127.0.0.1:1", "      retries: many\n");
  std::string error;
  try {
    Provider p(o);
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("key 'retries' must be an integer"), std::string::npos) << error;
  o = options_for("ftp://127.0.0.1:1");
  error.clear();
  try {
    Provider p(o);
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("services.leerbedrijf.settings (http_json): key 'url' must start with http:// or https://"),
            std::string::npos)
      << error;
}

// Exactly once across the backend (docs/HTTP_JSON_BACKEND.md "Idempotency-Key"): every write
// carries the message's key, "<sender OIN>/<MessageID>"; reads carry none.
TEST(HttpJsonBackend, EveryWriteCarriesTheMessagesIdempotencyKeyAndNoReadDoes) {
  JsonBackend backend([](const JsonBackend::Request& r) {
    if (r.target.ends_with("/leerbedrijf/voordragen")) return Reply{200, R"({"voordracht_id":"V1","status":"ontvangen","meldingen":[]})"};
    return sbb(r);
  });
  Provider p(options_for(backend.url()));
  pump_settled(backend);
  gateway::SendOptions o;
  o.message_id = new_message_id();
  const json req = kVoordracht;
  EXPECT_EQ(answer(send_json("school-25be", kSchool25be, p.port(), "VoordragenErkenning", req.dump(), o))["VoordrachtID"], "V1");
  answer(verifieer(p));
  bool write_seen = false, read_seen = false;
  for (const auto& r : backend.requests()) {
    if (r.target.ends_with("/leerbedrijf/voordragen")) {
      write_seen = true;
      ASSERT_TRUE(r.headers.count("idempotency-key"));
      EXPECT_EQ(r.headers.at("idempotency-key"), std::string(kSchool25be) + "/" + o.message_id->str());
    } else {
      read_seen = read_seen || r.target.ends_with("/leerbedrijf/verifieer");
      EXPECT_FALSE(r.headers.count("idempotency-key")) << r.target;
    }
  }
  EXPECT_TRUE(write_seen && read_seen);
}

// The gateway killed after the backend answered a write (crash point backend_committed) and
// before its own answer was durable: the resend carries the same key, a backend that honours it
// answers with its first result, and the school gets that answer; nothing was made twice.
TEST(HttpJsonBackend, AWriteResentAfterACrashGetsTheFirstAnswerOfABackendThatHonoursTheKey) {
  std::mutex mu;
  std::map<std::string, std::string> by_key;
  int made = 0;
  JsonBackend backend([&](const JsonBackend::Request& r) {
    if (!r.target.ends_with("/leerbedrijf/voordragen")) return sbb(r);
    std::lock_guard lock(mu);
    auto k = r.headers.find("idempotency-key");
    if (k == r.headers.end()) return Reply{400, R"({"title":"no Idempotency-Key"})"};
    auto& reply = by_key[k->second];
    if (reply.empty())
      reply = json{{"voordracht_id", "V" + std::to_string(++made)}, {"status", "ontvangen"}, {"meldingen", json::array()}}.dump();
    return Reply{200, reply};
  });
  const std::string crash_file = make_temp_dir("crash") + "/point";
  std::ofstream(crash_file) << "backend_committed VoordragenErkenning\n";
  ::setenv("EDUGATE_CRASH_POINT_FILE", crash_file.c_str(), 1);
  auto o = options_for(backend.url());
  auto first = std::make_unique<Provider>(o);
  gateway::SendOptions send;
  send.message_id = new_message_id();
  const json req = kVoordracht;
  EXPECT_FALSE(send_json("school-25be", kSchool25be, first->port(), "VoordragenErkenning", req.dump(), send));
  std::ofstream(crash_file) << "";
  ASSERT_EQ(first->wait_exit(20000), 128 + 9) << first->log();
  first->keep_dir();
  o.dir = first->dir();
  Provider again(o);
  ::unsetenv("EDUGATE_CRASH_POINT_FILE");
  auto b = answer(send_json("school-25be", kSchool25be, again.port(), "VoordragenErkenning", req.dump(), send));
  EXPECT_EQ(b["VoordrachtID"], "V1") << b.dump();
  EXPECT_EQ(backend.hits("/leerbedrijf/voordragen"), 2) << "sent again, with the same key";
  std::lock_guard lock(mu);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(again.scalar("store", "SELECT count(*) FROM audit WHERE message_id = '" + send.message_id->str() + "'"), "1");
}
