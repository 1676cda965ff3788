#include "testkit.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gateway/outbound/json_xml.h"
#include "security/tls_policy.h"

extern char** environ;

namespace edugate::testkit {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
// Status, body and headers (names lower-cased) of a response into a RawResponse.
void take_response(boost::beast::http::response<boost::beast::http::string_body> res, RawResponse& r) {
  r.status = static_cast<int>(res.result_int());
  r.body = std::move(res.body());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
}
}  // namespace

std::string pki_dir() { return EDUGATE_TEST_PKI_DIR; }
std::string edugate_binary() { return EDUGATE_BINARY; }
std::string contract_dir() { return EDUGATE_CONTRACT_DIR; }

std::string make_temp_dir(const std::string& tag) {
  std::string tmpl = (fs::temp_directory_path() / ("edugate-" + tag + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

sql::Target pg_target(const std::string& dsn, const std::string& schema = {}) {
  sql::Target t;
  t.dialect = sql::Dialect::postgres;
  t.dsn = dsn;
  t.schema = schema;
  return t;
}

}  // namespace

bool use_postgres() {
  const char* v = std::getenv("EDUGATE_TEST_STORE");
  return v && std::string(v) == "postgres";
}

std::string pg_server_dsn() {
  const char* state = std::getenv("EDUGATE_TEST_PG_STATE");
  if (!state) state = EDUGATE_TEST_PG_STATE_DIR;  // where the ctest fixture pg (tests/pg/pg-server.sh) writes
  auto dsn = trimmed(slurp(std::string(state) + "/dsn"));
  if (dsn.empty()) throw std::runtime_error(std::string("no PostgreSQL test server: ") + state + "/dsn is missing");
  return dsn;
}

std::string pg_dsn(const std::string& database) { return pg_server_dsn() + " dbname=" + database; }

std::string create_test_database(const std::string& tag) {
  static std::atomic<int> n{0};
  std::mt19937 rng{std::random_device{}()};
  std::string name = "edugate_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(++n) + "_" +
                     std::to_string(rng() % 100000);
  auto c = sql::open(pg_target(pg_dsn("postgres")));
  c->exec(("CREATE DATABASE " + name).c_str());
  return name;
}

void drop_test_database(const std::string& name) {
  try {
    auto c = sql::open(pg_target(pg_dsn("postgres")));
    c->exec(("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str());
  } catch (const std::exception&) {
    // The server may be gone already (fixture cleanup); nothing to keep.
  }
}

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::string& out_file) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

}  // namespace

RunResult run(const std::vector<std::string>& args) {
  std::string out = make_temp_dir("run") + "/out.txt";
  pid_t pid = spawn(args, out);
  int status = 0;
  waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.output = slurp(out);
  fs::remove_all(fs::path(out).parent_path());
  return r;
}

namespace {
// Starts `edugate serve` and waits for its port file.
pid_t start_gateway(const std::string& config, const std::string& dir, const std::string& log_name,
                    unsigned short& port) {
  const std::string port_file = dir + "/port";
  fs::remove(port_file);
  pid_t pid = spawn({edugate_binary(), "serve", "--config", config, "--port-file", port_file}, dir + "/" + log_name);
  for (int i = 0; i < 500; ++i) {
    if (fs::exists(port_file)) {
      port = static_cast<unsigned short>(std::stoi(slurp(port_file)));
      return pid;
    }
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) throw std::runtime_error("gateway exited at start:\n" + slurp(dir + "/" + log_name));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("gateway did not start:\n" + slurp(dir + "/" + log_name));
}

void stop_pid(pid_t& pid, int sig) {
  if (pid <= 0) return;
  kill(pid, sig);
  int status;
  for (int i = 0; i < 250; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  pid = -1;
}
}  // namespace

int wait_exit_of(pid_t& pid, int timeout_ms);

// The test configuration's short HTTP timeouts, but for those a test sets itself (a key twice
// in one mapping is a configuration error).
static std::string http_defaults_besides(const std::string& extra) {
  std::string out;
  for (const char* line : {"  header_timeout_ms: 2000\n", "  body_timeout_ms: 5000\n", "  idle_timeout_ms: 5000\n"}) {
    const std::string key = std::string(line).substr(0, std::string(line).find(':') + 1);
    if (extra.find(key) == std::string::npos) out += line;
  }
  return out;
}

Provider::Provider(ProviderOptions options) {
  const bool restart = !options.dir.empty();
  dir_ = restart ? options.dir : make_temp_dir("provider");
  config_ = dir_ + "/provider.yaml";
  if (use_postgres()) {
    if (!options.pg_database.empty()) {
      pg_database_ = options.pg_database;
    } else if (restart && fs::exists(dir_ + "/pg-database")) {
      pg_database_ = trimmed(slurp(dir_ + "/pg-database"));
      own_database_ = true;
    } else {
      pg_database_ = create_test_database("p");
      own_database_ = true;
      std::ofstream(dir_ + "/pg-database") << pg_database_ << "\n";
    }
  }
  const bool pg = !pg_database_.empty();
  const std::string dsn = pg ? pg_dsn(pg_database_) : std::string();
  // A backend's block: its SQLite files, or the provider's PostgreSQL database.
  auto backend = [&](const char* name, const std::string& file, bool reads_leerbedrijf) {
    std::string y = std::string("  ") + name + ":\n    adapter: " + (pg ? "postgres" : "sqlite") + "\n    settings:\n";
    if (pg) y += "      dsn: \"" + dsn + "\"\n";
    else y += "      path: " + dir_ + "/" + file + "\n" + (reads_leerbedrijf ? "      leerbedrijf_path: " + dir_ + "/sbb.db\n" : "");
    return y + "      demo_data: true\n";
  };
  const std::string store_yaml = pg ? "store:\n  kind: postgres\n  dsn: \"" + dsn + "\"\n" + options.store_yaml
                                    : "store:\n  path: " + dir_ + "/edugate.db\n" + options.store_yaml;
  const std::string pki = pki_dir();
  std::string chain = pki + "/" + options.certificate_stem + ".chain.pem";
  std::string key = pki + "/" + options.certificate_stem + ".key.pem";
  std::string trust = options.trust_anchors.empty() ? pki + "/trust.pem" : options.trust_anchors;
  std::string crls = pki + "/crls.pem";
  if (options.own_tls_files) {
    // Copies under fixed names, for a test to change in place.
    const std::string tls_dir = dir_ + "/tls";
    fs::create_directories(tls_dir);
    auto own = [&](std::string& file, const char* name) {
      fs::copy_file(file, tls_dir + "/" + name, fs::copy_options::overwrite_existing);
      file = tls_dir + "/" + name;
    };
    own(chain, "sbb.chain.pem");
    own(key, "sbb.key.pem");
    own(trust, "trust.pem");
    own(crls, "crls.pem");
  }
  if (!options.crls.empty()) crls = options.crls;
  // The entries of services: the test's own (other adapters), or the SQL backends.
  std::string services = options.services_yaml;
  if (services.empty()) {
    services = backend("leerbedrijf", "sbb.db", false);
    if (options.bpvmonitor) services += backend("bpvmonitor", "bpv.db", true);
    if (options.praktijkloket) services += backend("praktijkloket", "pl.db", true);
  }
  std::ofstream(config_) << "role: provider\n"
                            "oin: \"" << kSbbOin << "\"\n"
                            "listen:\n  address: 127.0.0.1\n  port: 0\n  threads: 2\n"
                            "tls:\n"
                            "  certificate: " << chain << "\n"
                            "  private_key: " << key << "\n"
                            "  trust_anchors: " << trust << "\n"
                            "  crls: [" << crls << "]\n"
                            "  reload_poll_ms: 200\n"
                         << options.extra_tls_yaml
                         << "http:\n" << http_defaults_besides(options.extra_http_yaml)
                         << options.extra_http_yaml << options.extra_yaml
                         << "workers:\n  threads: " << options.worker_threads << "\n  max_queue: " << options.max_queue << "\n"
                         << store_yaml << "services:\n" << services
                         << options.outbox_yaml << "log:\n  level: " << options.log_level << "\n  batch_ms: " << options.log_batch_ms << "\n"
                         << (options.admin ? "admin:\n  address: 127.0.0.1\n  port: 0\n" + options.admin_yaml : std::string());
  auto must = [&](std::vector<std::string> a) {
    const std::string what = a.front();
    auto r = edugate(std::move(a));
    if (r.exit_code != 0) throw std::runtime_error("edugate " + what + " failed: " + r.output);
  };
  // PostgreSQL as in production: the schemas are migrated before anything opens them.
  if (pg && !restart) must({"db", "migrate"});
  if (options.onboard_defaults && !restart) {
    // One `onboard apply` of a registry file (one process, one transaction) instead of a
    // process per party, agreement and mandate: the test suite starts hundreds of providers.
    std::string parties, agreements, mandates;
    auto party = [&](const std::string& stem, const std::string& name, const char* kind) {
      parties += "  - {cert: \"" + pki + "/" + stem + ".cert.pem\", naam: \"" + name + "\", kind: " + kind + "}\n";
    };
    auto agreement = [&](const std::string& stem, const char* service) {
      agreements += "  - {cert: \"" + pki + "/" + stem + ".cert.pem\", service: " + service + "}\n";
    };
    auto mandate = [&](const char* service) {
      mandates += std::string("  - {vendor: \"") + kVendor + "\", school: \"" + kSchool25be + "\", service: " + service + "}\n";
    };
    party("school-25be", "ROC TEST Twente", "school");
    party("school-30gr", "ROC TEST Groningen", "school");
    party("school-21ca", "ROC TEST Amsterdam", "school");
    party("vendor", "SIS Vendor TEST", "vendor");
    // The bad certificates are onboarded on purpose: their refusal must come from the PKI checks.
    for (const char* bad : {"revoked", "expired", "notyetvalid", "wrongusage", "untrusted", "stalecrl"}) party(bad, bad, "school");
    for (const char* s : {"school-25be", "school-30gr", "revoked", "expired", "notyetvalid", "wrongusage", "untrusted",
                          "stalecrl"})
      agreement(s, "leerbedrijf");
    mandate("leerbedrijf");
    if (options.bpvmonitor) {
      for (const char* s : {"school-25be", "school-30gr"})
        for (const char* svc : {"bpvmonitor", "bpvmonitor-studentgegevens"}) agreement(s, svc);
      agreement("school-21ca", "bpvmonitor");
      mandate("bpvmonitor-studentgegevens");
    }
    if (options.praktijkloket) {
      for (const char* s : {"school-25be", "school-30gr"}) agreement(s, "praktijkloket");
      mandate("praktijkloket");
    }
    const std::string registry = dir_ + "/registry.yaml";
    std::ofstream(registry) << "parties:\n" << parties << "agreements:\n" << agreements << "mandates:\n" << mandates;
    must({"onboard", "apply", registry});
  }
  pid_ = last_pid_ = start_gateway(config_, dir_, "provider.log", port_);
}

Provider::~Provider() {
  stop();
  if (!keep_ && !std::getenv("EDUGATE_KEEP_TEST_DIRS")) {
    fs::remove_all(dir_);
    if (own_database_) drop_test_database(pg_database_);
  }
}

sql::Target Provider::target(const std::string& db) const {
  if (postgres()) return pg_target(pg_dsn(pg_database_), db == "store" ? "edugate" : db);
  static const std::map<std::string, std::string> files{
      {"store", "edugate.db"}, {"lb", "sbb.db"}, {"bpv", "bpv.db"}, {"pl", "pl.db"}};
  sql::Target t;
  t.path = dir_ + "/" + files.at(db);
  return t;
}

std::vector<std::vector<std::string>> Provider::query(const std::string& db, const std::string& sql) const {
  auto c = sql::open(target(db));
  std::vector<std::vector<std::string>> out;
  for (auto& row : c->query(sql)) {
    std::vector<std::string> r;
    for (auto& v : row) r.push_back(v.value_or(""));
    out.push_back(std::move(r));
  }
  return out;
}

std::string Provider::scalar(const std::string& db, const std::string& sql) const {
  auto rows = query(db, sql);
  return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
}

void Provider::exec(const std::string& db, const std::string& sql) const { sql::open(target(db))->exec(sql.c_str()); }

StoreLock::StoreLock(const Provider& p) : c_(sql::open(p.target("store"))) {
  if (p.postgres()) c_->exec("BEGIN; LOCK TABLE messages IN EXCLUSIVE MODE");
  else c_->begin();
}

StoreLock::~StoreLock() { c_->rollback(); }

void Provider::stop() { stop_pid(pid_, SIGTERM); }
void Provider::kill_hard() { stop_pid(pid_, SIGKILL); }
void Provider::signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

void Consumer::signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

int Consumer::wait_exit(int timeout_ms) { return wait_exit_of(pid_, timeout_ms); }

int Provider::wait_exit(int timeout_ms) { return wait_exit_of(pid_, timeout_ms); }

int wait_exit_of(pid_t& pid_, int timeout_ms) {
  if (pid_ <= 0) return -1;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

unsigned short Provider::admin_port() const { return admin_port_of_log(log()); }

unsigned short admin_port_of_log(const std::string& log) {
  static const std::regex re(R"re("event":"admin_listening".*"port":([0-9]+))re");
  std::smatch m;
  if (std::regex_search(log, m, re)) return static_cast<unsigned short>(std::stoi(m[1]));
  return 0;
}

RawResponse http_get(unsigned short port, const std::string& target) {
  RawResponse r;
  try {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(20));
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream, buffer, parser);
    take_response(parser.release(), r);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

Consumer::Consumer(ConsumerOptions o) {
  const bool restart = !o.dir.empty();
  dir_ = restart ? o.dir : make_temp_dir("consumer");
  const std::string pki = pki_dir();
  std::ofstream(dir_ + "/consumer.yaml")
      << "role: consumer\noin: \"" << o.oin << "\"\n"
      << "listen:\n  address: 127.0.0.1\n  port: " << o.port << "\n  threads: 2\n"
      << "tls:\n  certificate: " << pki << "/" << o.stem << ".chain.pem\n  private_key: " << pki << "/" << o.stem
      << ".key.pem\n  trust_anchors: " << pki << "/trust.pem\n  crls: [" << pki << "/crls.pem]\n"
      << "store:\n  path: " << dir_ << "/consumer.db\n"
      << "services:\n  schoolontvangst:\n    adapter: sqlite\n    settings:\n      path: " << sink_path() << "\n"
      << "remote:\n  url: https://127.0.0.1:" << o.provider_port << "\n  oin: \"" << kSbbOin << "\"\n  timeout_ms: 10000\n"
      << (o.inbox ? "inbox:\n  dir: " + inbox_dir() + "\n  poll_ms: 200\n" : std::string())
      << o.extra_yaml << "log:\n  level: " << o.log_level << "\n  batch_ms: " << o.log_batch_ms << "\n";
  pid_ = start_gateway(dir_ + "/consumer.yaml", dir_, "consumer.log", port_);
}

Consumer::~Consumer() {
  stop();
  if (!keep_ && !std::getenv("EDUGATE_KEEP_TEST_DIRS")) fs::remove_all(dir_);
}

void Consumer::stop() { stop_pid(pid_, SIGTERM); }
void Consumer::kill_hard() { stop_pid(pid_, SIGKILL); }
std::string Consumer::log() const { return slurp(dir_ + "/consumer.log"); }

std::string sqlite_scalar(const std::string& db, const std::string& sql) {
  auto r = run({"/usr/bin/sqlite3", "-cmd", ".timeout 5000", db, sql});
  std::string out = r.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.substr(0, out.find('\n'));
}

bool eventually(const std::function<bool()>& pred, int timeout_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

bool Provider::alive() const {
  if (pid_ <= 0) return false;
  int status;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

std::string Provider::log() const { return slurp(dir_ + "/provider.log"); }

RunResult Provider::edugate(std::vector<std::string> args) const {
  // A registry change reaches a running gateway within store::kRegistryPollMs (its registry cache
  // follows the store's change counter, and it logs registry_changed when it sees it move): an
  // `onboard` command waits for that line, so the test's next request meets the new registry.
  // Registry.AChangeByAnotherProcessTakesEffectWithinASecond tests the bound itself.
  const bool registry = args.front() == "onboard" && alive();
  const std::string before = registry ? scalar("store", "SELECT n FROM registry_version") : "";
  std::vector<std::string> full{edugate_binary()};
  full.push_back(args.front());
  full.push_back("--config");
  full.push_back(config_);
  full.insert(full.end(), args.begin() + 1, args.end());
  RunResult r = run(full);
  if (registry) {
    const std::string after = scalar("store", "SELECT n FROM registry_version");
    if (after != before)
      eventually([&] { return log().find("\"registry_version\":" + after + "}") != std::string::npos; }, 5000);
  }
  return r;
}

gateway::Config client_config(const std::string& stem, unsigned short port, const std::string& own_oin,
                              std::optional<std::string> act_for) {
  const std::string pki = pki_dir();
  std::ostringstream y;
  y << "role: consumer\noin: \"" << own_oin << "\"\n"
    << "tls:\n  certificate: " << pki << "/" << stem << ".chain.pem\n  private_key: " << pki << "/" << stem
    << ".key.pem\n  trust_anchors: " << pki << "/trust.pem\n  crls: [" << pki << "/crls.pem]\n"
    << "remote:\n  url: https://127.0.0.1:" << port << "\n  oin: \"" << kSbbOin << "\"\n  timeout_ms: 30000\n";
  if (act_for) y << "  act_for: \"" << *act_for << "\"\n";
  return gateway::parse_config(y.str(), "client.yaml", "");
}

std::string trust_g3_and_g4() { return pki_dir() + "/g4/trust-g3-and-g4.pem"; }
std::string crls_g3_and_g4() { return pki_dir() + "/g4/crls-g3-and-g4.pem"; }

gateway::ServiceContract leerbedrijf_contract() { return gateway::load_contract(contract_dir(), "leerbedrijf"); }

namespace {
const gateway::XsdModel& model() {
  static auto m = gateway::XsdModel::load(contract_dir());
  return *m;
}
}  // namespace

Result<gateway::Exchange> send_json(const std::string& stem, const std::string& own_oin, unsigned short port,
                                    const std::string& operation, const std::string& json,
                                    gateway::SendOptions options) {
  return send_json_with(client_config(stem, port, own_oin), operation, json, std::move(options));
}

Result<gateway::Exchange> send_json_with(const gateway::Config& config, const std::string& operation, const std::string& json,
                                         gateway::SendOptions options) {
  auto contract = leerbedrijf_contract();
  const auto* op = contract.by_name(operation);
  if (!op) throw std::runtime_error("no operation " + operation);
  auto xml = model().json_to_xml(contract.target_ns, op->input_element, nlohmann::ordered_json::parse(json));
  if (!xml) throw std::runtime_error("bad test JSON: " + xml.error().message);
  gateway::Client client(config);
  return client.send(contract, *op, *xml, options);
}

Result<gateway::Exchange> send_service_json(const std::string& service, const std::string& stem, const std::string& own_oin,
                                            unsigned short port, const std::string& operation, const std::string& json,
                                            gateway::SendOptions options) {
  auto config = client_config(stem, port, own_oin);
  auto contract = gateway::load_contract(contract_dir(), service);
  const auto* op = contract.by_name(operation);
  if (!op) throw std::runtime_error("no operation " + operation);
  auto xml = model().json_to_xml(contract.target_ns, op->input_element, nlohmann::ordered_json::parse(json));
  if (!xml) throw std::runtime_error("bad test JSON: " + xml.error().message);
  gateway::Client client(config);
  return client.send(contract, *op, *xml, options);
}

std::string body_json(const gateway::Exchange& ex) {
  auto j = model().xml_text_to_json(ex.body_xml);
  return j ? j->dump() : ex.body_xml;
}

std::shared_ptr<asio::ssl::context> tls_for(const std::string& stem) {
  const std::string pki = pki_dir();
  security::TlsSettings s;
  s.certificate = pki + "/" + stem + ".chain.pem";
  s.private_key = pki + "/" + stem + ".key.pem";
  s.trust_anchors = pki + "/trust.pem";
  s.crls = {pki + "/crls.pem"};
  return security::make_client_context(s);
}

struct Connection::Impl {
  asio::io_context ioc;
  std::shared_ptr<asio::ssl::context> ctx;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
};

Connection::Connection(unsigned short port, const std::string& stem) : impl_(new Impl) {
  try {
    impl_->ctx = tls_for(stem);
    impl_->stream.emplace(impl_->ioc, *impl_->ctx);
    beast::get_lowest_layer(*impl_->stream).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(*impl_->stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    impl_->stream->handshake(asio::ssl::stream_base::client);
  } catch (const std::exception& e) {
    error_ = e.what();
  }
}

Connection::~Connection() { delete impl_; }

RawResponse Connection::post(const std::string& path, const std::string& body, const std::string& soap_action) {
  RawResponse r;
  if (!error_.empty()) {
    r.error = error_;
    return r;
  }
  try {
    beast::get_lowest_layer(*impl_->stream).expires_after(std::chrono::seconds(20));
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "text/xml; charset=utf-8");
    req.set("SOAPAction", "\"" + soap_action + "\"");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(*impl_->stream, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(*impl_->stream, impl_->buffer, parser);
    take_response(parser.release(), r);
  } catch (const std::exception& e) {
    r.error = e.what();
    error_ = e.what();
  }
  return r;
}

RawResponse raw_post(unsigned short port, const std::string& stem, const std::string& path, const std::string& body,
                     const std::map<std::string, std::string>& headers) {
  RawResponse r;
  try {
    asio::io_context ioc;
    auto ctx = tls_for(stem);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, *ctx);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
    beast::get_lowest_layer(stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream.handshake(asio::ssl::stream_base::client);
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream, buffer, parser);
    r.status = static_cast<int>(parser.get().result_int());
    r.body = parser.get().body();
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

RawExchange raw_bytes(unsigned short port, const std::string& stem, const std::string& bytes, int pace_ms,
                      int read_timeout_ms, int wait_before_handshake_ms) {
  RawExchange r;
  auto start = std::chrono::steady_clock::now();
  auto connected = start;
  auto elapsed = [&] {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  };
  try {
    asio::io_context ioc;
    auto ctx = tls_for(stem);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, *ctx);
    beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(read_timeout_ms + 60000));
    beast::get_lowest_layer(stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    connected = std::chrono::steady_clock::now();
    if (wait_before_handshake_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_before_handshake_ms));
    stream.handshake(asio::ssl::stream_base::client);
    r.handshake_ok = true;
    start = std::chrono::steady_clock::now();
    if (pace_ms <= 0) {
      asio::write(stream, asio::buffer(bytes));
    } else {
      for (char c : bytes) {
        asio::write(stream, asio::buffer(&c, 1));
        std::this_thread::sleep_for(std::chrono::milliseconds(pace_ms));
      }
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(read_timeout_ms));
    char buf[4096];
    for (;;) {
      beast::error_code ec;
      std::size_t n = stream.read_some(asio::buffer(buf), ec);
      r.received.append(buf, n);
      if (ec) {
        if (r.received.empty()) r.error = ec.message();
        break;
      }
      if (r.received.find("\r\n\r\n") != std::string::npos) {
        // Read the announced body, if any, then stop.
        auto cl = r.received.find("Content-Length: ");
        if (cl != std::string::npos) {
          std::size_t len = std::stoul(r.received.substr(cl + 16));
          if (r.received.size() >= r.received.find("\r\n\r\n") + 4 + len) break;
        }
      }
    }
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.elapsed_ms = elapsed();
  r.since_connect_ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - connected).count());
  return r;
}

std::string verifieer_body(const std::string& id, const std::string& crebo, const std::string& leerweg) {
  return "<lb:VerifieerErkenningVerzoek xmlns:lb=\"urn:edugate:leerbedrijf:1\"><lb:LeerbedrijfID>" + id +
         "</lb:LeerbedrijfID><lb:Crebo>" + crebo + "</lb:Crebo><lb:Leerweg>" + leerweg +
         "</lb:Leerweg></lb:VerifieerErkenningVerzoek>";
}

std::string envelope(const EnvelopeSpec& s) {
  std::string h;
  if (!s.to.empty()) h += "<wsa:To>" + s.to + "</wsa:To>";
  if (!s.from.empty()) h += "<wsa:From><wsa:Address>" + s.from + "</wsa:Address></wsa:From>";
  if (!s.action.empty()) h += "<wsa:Action>" + s.action + "</wsa:Action>";
  if (s.message_id != "-")
    h += "<wsa:MessageID>" + (s.message_id.empty() ? new_message_id().str() : s.message_id) + "</wsa:MessageID>";
  if (!s.reply_to.empty()) h += "<wsa:ReplyTo><wsa:Address>" + s.reply_to + "</wsa:Address></wsa:ReplyTo>";
  h += s.extra_headers;
  std::string body = s.body.empty() ? verifieer_body("100000001", "25180", "BOL") : s.body;
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><soap:Header>" +
         h + "</soap:Header><soap:Body>" + body + "</soap:Body></soap:Envelope>";
}

std::string fault_code(const std::string& body) {
  static const std::regex re("<gem:Code>([A-Z0-9]+)</gem:Code>");
  std::smatch m;
  if (std::regex_search(body, m, re)) return m[1];
  return "";
}

}  // namespace edugate::testkit
