#pragma once
// The one YAML configuration file. Every key is documented in deploy/config/edugate.example.yaml.
// Unknown keys and wrong types are errors naming the key and its line.
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "security/crl_fetch.h"
#include "security/tls_policy.h"

namespace edugate::gateway {

enum class Role { provider, consumer };

struct ServiceConfig {
  bool enabled = true;
  std::string adapter = "sqlite";
  YAML::Node settings;  // the adapter's own block, validated by the adapter's factory
};

struct Config {
  std::string file;      // where it was read from
  std::string base_dir;  // relative paths resolve against the config file's directory
  Role role = Role::provider;
  Oin oin = *Oin::parse("00000099000000000000");
  std::string contract_dir;

  std::string listen_address = "127.0.0.1";
  unsigned short listen_port = 8443;
  int io_threads = 0;  // 0: number of cores

  security::TlsSettings tls;
  security::CrlFetchSettings crl_fetch;  // fetched CRLs are loaded from crl_fetch.cache_dir (tls.crl_cache_dir)

  std::size_t max_body_bytes = 20u << 20;
  int header_timeout_ms = 10000;
  int body_timeout_ms = 30000;
  int idle_timeout_ms = 60000;
  int max_requests_per_connection = 10000;
  int max_connection_lifetime_ms = 3600000;  // WT008
  // Caps on the service listener's connections (gateway/edge/connection_limits.h); 0: no cap.
  // The defaults keep a 2-core gateway serving when one peer floods it.
  int max_connections = 4096;
  int max_connections_per_address = 64;  // below max_pending_handshakes: one address never takes every slot
  int max_pending_handshakes = 128;
  int tls_reload_poll_ms = 5000;             // file-change check; SIGHUP reloads at once

  int worker_threads = 4;
  int max_queue = 512;

  std::string store_kind = "sqlite";     // sqlite | postgres
  std::string store_path = "var/edugate.db";  // sqlite
  std::string store_dsn;                 // postgres: from store.dsn or the variable named by store.dsn_env
  bool store_migrate_auto = false;       // postgres: store.migrate: auto applies schema migrations at start
  int message_retention_days = 7;
  int claim_lease_ms = 60000;

  std::map<std::string, ServiceConfig> services;

  // Client side (edugate send, and the consumer role later).
  std::string remote_url;                // https://host:port (service path is appended)
  std::optional<Oin> remote_oin;         // expected OIN of the remote's TLS certificate
  std::optional<Oin> act_for;            // a vendor acting for this school OIN (wsa:From)
  int client_timeout_ms = 30000;

  // Provider: the outbox of pushes SBB -> school.
  int outbox_poll_ms = 200;
  int outbox_senders = 4;
  int outbox_max_attempts = 12;
  int outbox_backoff_initial_ms = 1000;
  int outbox_backoff_max_ms = 300000;
  int outbox_send_timeout_ms = 10000;
  int outbox_lease_ms = 60000;  // a claimed push not done within this is taken over (its instance died)
  int mutations_per_message = 100;
  int mutation_poll_ms = 2000;

  // Consumer: the inbox directory the SIS drops student data files into (empty: no inbox).
  std::string inbox_dir;
  int inbox_poll_ms = 1000;

  // WS-Security 2W-be-S (edukoppeling.md §4). Signed requests are always verified; these make
  // them mandatory. A party's own requirement is in the registry (onboard party --signing).
  std::vector<std::string> wss_require_signed;  // service names, or "all"
  int wss_skew_seconds = 300;                   // Timestamp clock skew and freshness
  bool wss_sign_requests = false;               // client side: sign what this gateway sends

  std::string log_level = "info";
  // Lines at info and below leave in one write per log_batch_ms (0: every line at once).
  int log_batch_ms = 2;

  // The admin listener: plain HTTP with /healthz, /readyz and /metrics (docs/OPERATIONS.md).
  // Off unless the admin block gives a port; 0 picks a free one (logged as admin_listening).
  bool admin_enabled = false;
  std::string admin_address = "127.0.0.1";
  unsigned short admin_port = 0;
  int admin_min_cert_days = 14;             // /readyz: own certificate valid at least this long
  bool admin_ready_requires_fresh_crls = true;  // /readyz: every CRL before its nextUpdate
  int admin_max_crl_age_s = 0;              // /readyz: and issued no longer ago than this (0: no limit)

  // The internal listener (consumer role): HTTP (or TLS) for the school's or vendor's own systems,
  // with the SOAP relay (POST /relay) and the JSON bridge (POST /v1/{service}/{operation},
  // GET /v1/openapi.json). Off unless the internal block gives a port; 0 picks a free one
  // (logged as internal_listening).
  bool internal_enabled = false;
  std::string internal_address = "127.0.0.1";
  unsigned short internal_port = 0;
  std::size_t internal_max_body_bytes = 20u << 20;  // a larger request gets 413 before its body is read
  int internal_threads = 4;                         // requests sent on at the same time (each waits for its answer)
  int internal_idle_timeout_ms = 60000;             // keep-alive: a connection waits this long for its next request
  // internal.tls: TLS instead of plain HTTP when a certificate is given; with client_ca, a
  // client certificate is required and verified against that CA (security/tls_policy.h).
  std::string internal_tls_certificate;  // empty: plain HTTP
  std::string internal_tls_private_key;
  std::string internal_tls_client_ca;    // empty: no client certificate asked for

  // SIGTERM: stop accepting, let requests in flight finish within this, then exit.
  int shutdown_grace_ms = 10000;
};

// Throws ConfigError with "file:line: key: problem".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Config load_config(const std::string& path);

// Hot reload (SIGHUP): what a running gateway takes from a new configuration at once
// (log.level, wssecurity.require_signed, wssecurity.skew_seconds; the registry is live anyway),
// and the keys whose change needs a restart, by name.
std::vector<std::string> keys_needing_restart(const Config& running, const Config& fresh);
Config parse_config(const std::string& yaml_text, const std::string& file, const std::string& base_dir);

// Resolves a relative path against the config's directory.
std::string resolve_path(const std::string& base_dir, const std::string& p);

}  // namespace edugate::gateway
