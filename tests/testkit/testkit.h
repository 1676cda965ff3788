#pragma once
// Test kit: runs the real edugate binary on loopback with the example PKI, and talks to it as
// real clients do (mutual TLS, our own Client, or raw HTTP for hostile inputs).
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "gateway/outbound/client.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "security/tls_policy.h"
#include "store/sql.h"

namespace edugate::testkit {

std::string pki_dir();          // the example PKI made by certs-example/make-pki.sh for the tests
std::string edugate_binary();   // the built binary
std::string contract_dir();
std::string make_temp_dir(const std::string& tag);

inline const char* kSbbOin = "00000003273785290000";
inline const char* kSchool25be = "0000000700025BE00000";
inline const char* kSchool30gr = "0000000700030GR00000";
inline const char* kSchool21ca = "0000000700021CA00000";  // onboarded, but no agreement for leerbedrijf
inline const char* kVendor = "00000003123456780000";      // mandate for 25BE on leerbedrijf, not for 30GR

// The store and backends of the Providers: SQLite files (default), or PostgreSQL when the
// environment says EDUGATE_TEST_STORE=postgres (ctest's pg.* tests), on the server that the ctest
// fixture pg started (tests/pg/pg-server.sh; its state dir is <build>/test-pg, or
// EDUGATE_TEST_PG_STATE). Each Provider gets its own database.
bool use_postgres();
std::string pg_server_dsn();  // the test server, without dbname
// A fresh database on the test server; dropped by drop_test_database (WITH (FORCE)).
std::string create_test_database(const std::string& tag);  // returns its name
void drop_test_database(const std::string& name);
std::string pg_dsn(const std::string& database);  // server DSN + dbname

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
RunResult run(const std::vector<std::string>& args);

struct ProviderOptions {
  std::string extra_http_yaml;  // extra keys under http:
  std::string extra_tls_yaml;   // extra keys under tls:
  std::string extra_yaml;       // extra top-level blocks (crl_fetch:, wssecurity: ...)
  bool onboard_defaults = true;
  bool bpvmonitor = false;      // also serve the BPV Monitor (sqlite, demo data)
  bool praktijkloket = false;   // also serve the Praktijkloket (sqlite, demo kwalificatiestructuur)
  std::string outbox_yaml;      // an outbox: block (tuning for tests)
  std::string dir;              // reuse this directory (a restart); empty: a fresh one
  bool own_tls_files = false;
  int worker_threads = 4;
  int max_queue = 512;   // copy the provider's TLS files into <dir>/tls (to change them in a test)
  std::string log_level = "info";
  // log.batch_ms: 0 (every line written when made) so that a test reading the log right after an
  // answer finds its lines; the batched default (2 ms) is tested by Log.* and runs in the bench.
  int log_batch_ms = 0;
  bool admin = false;           // an admin listener on a free loopback port (admin_port())
  std::string admin_yaml;       // further keys under admin: (min_cert_days ...)
  std::string crls;             // tls.crls: this file instead of the example PKI's crls.pem
  std::string trust_anchors;    // tls.trust_anchors: this file instead of the example PKI's trust.pem
  std::string certificate_stem = "sbb";  // own TLS certificate and key (e.g. "g4/sbb-tls")
  // PostgreSQL: use this database (another Provider's: several instances on one database) instead
  // of a fresh one; it is not dropped by this Provider.
  std::string pg_database;
  std::string store_yaml;  // extra keys under store:
  std::string services_yaml;    // the entries of services: instead of the sqlite backends (other adapters);
                                // bpvmonitor/praktijkloket then only decide the onboarding
};

// A provider with a fresh store in its own temp dir, onboarded with the example parties.
class Provider {
 public:
  explicit Provider(ProviderOptions options = {});
  // SIGKILL: no shutdown at all (crash tests). The directory stays for a restart.
  void kill_hard();
  void keep_dir() { keep_ = true; }
  void signal(int sig) const;
  // Waits for the process to end; its exit code (128 + signal when killed), or -1 when it is
  // still running after timeout_ms.
  int wait_exit(int timeout_ms);
  ~Provider();
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return last_pid_; }  // of the gateway process (also after it was killed)
  unsigned short admin_port() const;  // from the admin_listening log line; 0 when none
  const std::string& dir() const { return dir_; }
  const std::string& config_path() const { return config_; }
  std::string log() const;
  bool alive() const;
  void stop();
  RunResult edugate(std::vector<std::string> args) const;  // runs `edugate <args> --config <ours>`-style commands
  std::string store_path() const { return dir_ + "/edugate.db"; }
  bool postgres() const { return !pg_database_.empty(); }
  const std::string& pg_database() const { return pg_database_; }
  // A query on one of the provider's databases, whatever the dialect: "store" (the gateway's
  // store), "lb" (Leerbedrijf), "bpv" (BPV Monitor), "pl" (Praktijkloket). NULL reads as "".
  std::vector<std::vector<std::string>> query(const std::string& db, const std::string& sql) const;
  std::string scalar(const std::string& db, const std::string& sql) const;  // first column of the first row, or ""
  void exec(const std::string& db, const std::string& sql) const;          // one or more statements
  sql::Target target(const std::string& db) const;

 private:
  std::string dir_, config_;
  std::string pg_database_;
  bool own_database_ = false;
  pid_t pid_ = -1, last_pid_ = -1;
  unsigned short port_ = 0;
  bool keep_ = false;
};

// A school's consumer gateway: serves schoolontvangst (sqlite sink in its dir) and, optionally,
// an inbox, talking to the provider on provider_port. port 0: any free port.
struct ConsumerOptions {
  std::string stem = "school-25be";
  std::string oin = kSchool25be;
  unsigned short provider_port = 0;
  unsigned short port = 0;
  bool inbox = false;
  std::string dir;  // reuse (restart); empty: fresh
  std::string extra_yaml;  // further top-level blocks (wssecurity: ...)
  std::string log_level = "info";
  int log_batch_ms = 0;  // as ProviderOptions::log_batch_ms
};

class Consumer {
 public:
  explicit Consumer(ConsumerOptions options);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;
  unsigned short port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string sink_path() const { return dir_ + "/ontvangen.db"; }
  std::string inbox_dir() const { return dir_ + "/inbox"; }
  std::string log() const;
  void stop();
  void kill_hard();
  void keep_dir() { keep_ = true; }
  void signal(int sig) const;
  // Waits for the process to end; its exit code (128 + signal when killed), or -1 when it is
  // still running after timeout_ms.
  int wait_exit(int timeout_ms);

 private:
  std::string dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  bool keep_ = false;
};

// Holds a write lock on the provider's message store (SQLite BEGIN IMMEDIATE; PostgreSQL LOCK
// TABLE messages) until destroyed: the store cannot take a claim meanwhile.
class StoreLock {
 public:
  explicit StoreLock(const Provider& p);
  ~StoreLock();

 private:
  std::unique_ptr<sql::Connection> c_;
};

// Runs a query on an SQLite file and returns the first column of the first row (or "").
std::string sqlite_scalar(const std::string& db, const std::string& sql);
// Waits until pred() is true or the time is up; returns pred().
bool eventually(const std::function<bool()>& pred, int timeout_ms = 20000);

// The trust of a gateway migrating from G3 to G4 (certs-example/README.md): both roots, and
// every CRL of both generations.
std::string trust_g3_and_g4();
std::string crls_g3_and_g4();

// A client configuration for a party of the example PKI (file stem, e.g. "school-25be").
gateway::Config client_config(const std::string& stem, unsigned short port, const std::string& own_oin,
                              std::optional<std::string> act_for = std::nullopt);

gateway::ServiceContract leerbedrijf_contract();

// Sends one operation as JSON via the real client; returns the exchange or the client's error.
Result<gateway::Exchange> send_json(const std::string& stem, const std::string& own_oin, unsigned short port,
                                    const std::string& operation, const std::string& json,
                                    gateway::SendOptions options = {});

// The same with a client configuration of one's own (client_config, then changed: other trust,
// a signing certificate ...).
Result<gateway::Exchange> send_json_with(const gateway::Config& config, const std::string& operation, const std::string& json,
                                         gateway::SendOptions options = {});

// The same for any service's operation (e.g. "praktijkloket").
Result<gateway::Exchange> send_service_json(const std::string& service, const std::string& stem, const std::string& own_oin,
                                            unsigned short port, const std::string& operation, const std::string& json,
                                            gateway::SendOptions options = {});

// Response body (or fault) as JSON via the XSD model.
std::string body_json(const gateway::Exchange& ex);

// Raw HTTP over mutual TLS for hostile inputs. headers: extra header lines.
struct RawResponse {
  int status = 0;
  std::string body;
  std::string error;  // transport/TLS error text when there was no response
  std::map<std::string, std::string> headers;  // names in lower case
};

// A plain HTTP GET on loopback (the admin listener).
// A client TLS context with the test PKI's certificate `stem` (its chain and key), the trust
// anchors and CRLs.
std::shared_ptr<boost::asio::ssl::context> tls_for(const std::string& stem);

RawResponse http_get(unsigned short port, const std::string& target);
// The admin port a gateway's log announces (admin_listening), 0 when none.
unsigned short admin_port_of_log(const std::string& log);
RawResponse raw_post(unsigned short port, const std::string& stem, const std::string& path, const std::string& body,
                     const std::map<std::string, std::string>& headers = {{"Content-Type", "text/xml; charset=utf-8"}});

// Writes raw bytes after the TLS handshake, optionally one byte every `pace_ms`, and reads
// whatever comes back until the server answers or closes. elapsed_ms: until that moment.
// wait_before_handshake_ms: the TCP connection stays silent that long before the ClientHello.
struct RawExchange {
  std::string received;
  std::string error;
  long elapsed_ms = 0;
  long since_connect_ms = 0;  // from the TCP connect to that moment
  bool handshake_ok = false;
};
RawExchange raw_bytes(unsigned short port, const std::string& stem, const std::string& bytes, int pace_ms = 0,
                      int read_timeout_ms = 10000, int wait_before_handshake_ms = 0);

// A keep-alive mutual-TLS connection sending several requests.
class Connection {
 public:
  Connection(unsigned short port, const std::string& stem);
  ~Connection();
  RawResponse post(const std::string& path, const std::string& body, const std::string& soap_action);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  struct Impl;
  Impl* impl_;
  std::string error_;
};

// A full request envelope with the usual headers; fields left empty are omitted.
struct EnvelopeSpec {
  std::string to = "https://127.0.0.1/edukoppeling/leerbedrijf?oin=00000003273785290000";
  std::string from = "http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000";
  std::string action = "urn:edugate:leerbedrijf:1:VerifieerErkenning";
  std::string message_id;  // default: a fresh one; "-": omitted
  std::string reply_to;
  std::string extra_headers;  // raw XML inside soap:Header
  std::string body;           // raw XML inside soap:Body; default: a VerifieerErkenning request
};
std::string envelope(const EnvelopeSpec& spec);
std::string verifieer_body(const std::string& id, const std::string& crebo, const std::string& leerweg);

// Extracts the Foutdetail code of a fault body ("" when none).
std::string fault_code(const std::string& body);

}  // namespace edugate::testkit
