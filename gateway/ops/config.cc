#include "gateway/ops/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <set>
#include <map>
#include <sstream>

#include "gateway/services/registry.h"
#include "store/sql.h"

namespace edugate::gateway {
namespace {

class Reader {
 public:
  Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
    std::ostringstream s;
    s << file_;
    if (n.IsDefined() && n.Mark().line >= 0) s << ":" << n.Mark().line + 1;
    s << ": " << key << ": " << what;
    throw ConfigError(s.str());
  }

  void only_keys(const YAML::Node& map, const std::string& prefix, const std::set<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, prefix.empty() ? "(root)" : prefix, "must be a mapping");
    for (const auto& kv : map) {
      auto k = kv.first.as<std::string>();
      if (!allowed.count(k)) fail(kv.first, join(prefix, k), "unknown key");
    }
  }

  static std::string join(const std::string& prefix, const std::string& k) { return prefix.empty() ? k : prefix + "." + k; }

  template <class T>
  void get(const YAML::Node& map, const std::string& prefix, const char* key, T& out, const char* type) const {
    YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) return;
    if (!n.IsScalar()) fail(n, join(prefix, key), std::string("must be ") + type);
    try {
      out = n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, join(prefix, key), std::string("must be ") + type);
    }
  }

  std::string str(const YAML::Node& map, const std::string& prefix, const char* key, bool required = false,
                  std::string def = {}) const {
    YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) fail(map, join(prefix, key), "required key is missing");
      return def;
    }
    get(map, prefix, key, def, "a string");
    return def;
  }

  Oin oin(const YAML::Node& map, const std::string& prefix, const char* key) const {
    std::string s = str(map, prefix, key, true);
    auto o = Oin::parse(s);
    if (!o) fail(map[key], join(prefix, key), "not a valid OIN (20 characters 0-9A-Z)");
    return *o;
  }

  int positive(const YAML::Node& map, const std::string& prefix, const char* key, int def, int min = 1) const {
    int v = def;
    get(map, prefix, key, v, "an integer");
    if (v < min) fail(map[key], join(prefix, key), "must be >= " + std::to_string(min));
    return v;
  }

 private:
  std::string file_;
};

}  // namespace

std::string resolve_path(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p[0] == '/' || base_dir.empty()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

namespace {
// YAML forbids a key twice in one mapping, but yaml-cpp keeps the first and drops the other
// silently: an operator who adds `header_timeout_ms` under `http:` beside an existing one
// would not get what they wrote. Refused, naming the key and both lines.
void refuse_duplicate_keys(const YAML::Node& n, const std::string& where, const std::string& file) {
  if (n.IsMap()) {
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      const std::string path = where.empty() ? key : where + "." + key;
      if (auto [it, fresh] = seen.emplace(key, kv.first.Mark().line + 1); !fresh)
        throw ConfigError(file + ":" + std::to_string(kv.first.Mark().line + 1) + ": " + path +
                          ": duplicate key (first at line " + std::to_string(it->second) + ")");
      refuse_duplicate_keys(kv.second, path, file);
    }
  } else if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i) refuse_duplicate_keys(n[i], where + "[" + std::to_string(i) + "]", file);
  }
}
}  // namespace

Config parse_config(const std::string& text, const std::string& file, const std::string& base_dir) {
  Reader r(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  refuse_duplicate_keys(root, "", file);
  Config c;
  c.file = file;
  c.base_dir = base_dir;
  r.only_keys(root, "", {"role", "oin", "contract_dir", "listen", "tls", "crl_fetch", "http", "workers", "store",
                         "services", "remote", "outbox", "inbox", "log", "wssecurity", "admin",
                         "internal", "shutdown_grace_ms"});
  std::string role = r.str(root, "", "role", true);
  if (role == "provider") c.role = Role::provider;
  else if (role == "consumer") c.role = Role::consumer;
  else r.fail(root["role"], "role", "must be provider or consumer");
  c.oin = r.oin(root, "", "oin");
  c.contract_dir = resolve_path(base_dir, r.str(root, "", "contract_dir", false, EDUGATE_CONTRACT_DIR));

  if (auto n = root["listen"]; n.IsDefined()) {
    r.only_keys(n, "listen", {"address", "port", "threads"});
    c.listen_address = r.str(n, "listen", "address", false, c.listen_address);
    int port = r.positive(n, "listen", "port", c.listen_port, 0);
    if (port > 65535) r.fail(n["port"], "listen.port", "must be <= 65535");
    c.listen_port = static_cast<unsigned short>(port);
    c.io_threads = r.positive(n, "listen", "threads", c.io_threads, 0);
  }

  YAML::Node tls = root["tls"];
  if (!tls.IsDefined()) r.fail(root, "tls", "required key is missing");
  r.only_keys(tls, "tls", {"certificate", "private_key", "trust_anchors", "crls", "check_revocation", "reload_poll_ms",
                           "session_tickets", "ticket_key_rotation_s", "ocsp"});
  c.tls_reload_poll_ms = r.positive(tls, "tls", "reload_poll_ms", c.tls_reload_poll_ms);
  c.tls.certificate = resolve_path(base_dir, r.str(tls, "tls", "certificate", true));
  c.tls.private_key = resolve_path(base_dir, r.str(tls, "tls", "private_key", true));
  c.tls.trust_anchors = resolve_path(base_dir, r.str(tls, "tls", "trust_anchors", true));
  r.get(tls, "tls", "check_revocation", c.tls.check_revocation, "a boolean");
  r.get(tls, "tls", "session_tickets", c.tls.session_tickets, "a boolean");
  c.tls.ticket_key_rotation_s = r.positive(tls, "tls", "ticket_key_rotation_s", c.tls.ticket_key_rotation_s);
  if (c.tls.ticket_key_rotation_s > 86400)
    r.fail(tls["ticket_key_rotation_s"], "tls.ticket_key_rotation_s", "must be <= 86400");
  if (auto crls = tls["crls"]; crls.IsDefined() && !crls.IsNull()) {
    if (!crls.IsSequence()) r.fail(crls, "tls.crls", "must be a list of file paths");
    for (const auto& e : crls) {
      if (!e.IsScalar()) r.fail(e, "tls.crls", "must be a list of file paths");
      c.tls.crls.push_back(resolve_path(base_dir, e.as<std::string>()));
    }
  }
  if (auto n = tls["ocsp"]; n.IsDefined() && !n.IsNull()) {
    auto& o = c.tls.ocsp;
    r.only_keys(n, "tls.ocsp", {"peers", "staple", "responder_url", "timeout_ms", "failure_retry_s", "max_cache_s"});
    const std::string peers = r.str(n, "tls.ocsp", "peers", false, "prefer");
    if (peers == "off") o.peers = security::OcspPolicy::off;
    else if (peers == "prefer") o.peers = security::OcspPolicy::prefer;
    else if (peers == "require") o.peers = security::OcspPolicy::require;
    else r.fail(n["peers"], "tls.ocsp.peers", "must be off, prefer or require");
    r.get(n, "tls.ocsp", "staple", o.staple, "a boolean");
    o.responder_url = r.str(n, "tls.ocsp", "responder_url", false);
    if (!o.responder_url.empty() && o.responder_url.rfind("http://", 0) != 0)
      r.fail(n["responder_url"], "tls.ocsp.responder_url", "must start with http://");
    o.timeout_ms = r.positive(n, "tls.ocsp", "timeout_ms", o.timeout_ms);
    if (o.timeout_ms > 10000)
      r.fail(n["timeout_ms"], "tls.ocsp.timeout_ms", "must be <= 10000 (a handshake of a new peer waits for it)");
    o.failure_retry_s = r.positive(n, "tls.ocsp", "failure_retry_s", o.failure_retry_s);
    o.max_cache_s = r.positive(n, "tls.ocsp", "max_cache_s", o.max_cache_s, 10);
    if (o.max_cache_s > 86400) r.fail(n["max_cache_s"], "tls.ocsp.max_cache_s", "must be <= 86400");
    if (o.peers == security::OcspPolicy::require && !c.tls.check_revocation)
      r.fail(n["peers"], "tls.ocsp.peers", "require needs tls.check_revocation: true");
  }
  c.crl_fetch.cache_dir = "var/crl-cache";
  if (auto n = root["crl_fetch"]; n.IsDefined()) {
    r.only_keys(n, "crl_fetch",
                {"enabled", "refresh_interval_s", "timeout_ms", "cache_dir", "intermediates", "urls", "url_base",
                 "learn_from_peers", "max_learned"});
    r.get(n, "crl_fetch", "learn_from_peers", c.crl_fetch.learn_from_peers, "a boolean");
    int max_learned = static_cast<int>(c.crl_fetch.max_learned);
    max_learned = r.positive(n, "crl_fetch", "max_learned", max_learned, 0);
    if (max_learned > 1000) r.fail(n["max_learned"], "crl_fetch.max_learned", "must be <= 1000");
    c.crl_fetch.max_learned = static_cast<std::size_t>(max_learned);
    r.get(n, "crl_fetch", "enabled", c.crl_fetch.enabled, "a boolean");
    c.crl_fetch.refresh_interval_s = r.positive(n, "crl_fetch", "refresh_interval_s", c.crl_fetch.refresh_interval_s);
    if (c.crl_fetch.refresh_interval_s > 14400)
      r.fail(n["refresh_interval_s"], "crl_fetch.refresh_interval_s", "must be <= 14400 (CRLs are refreshed at least every 4 hours)");
    c.crl_fetch.timeout_ms = r.positive(n, "crl_fetch", "timeout_ms", c.crl_fetch.timeout_ms);
    if (c.crl_fetch.timeout_ms > 60000) r.fail(n["timeout_ms"], "crl_fetch.timeout_ms", "must be <= 60000");
    c.crl_fetch.cache_dir = r.str(n, "crl_fetch", "cache_dir", false, c.crl_fetch.cache_dir);
    if (auto list = n["intermediates"]; list.IsDefined() && !list.IsNull()) {
      if (!list.IsSequence()) r.fail(list, "crl_fetch.intermediates", "must be a list of file paths");
      for (const auto& e : list) {
        if (!e.IsScalar()) r.fail(e, "crl_fetch.intermediates", "must be a list of file paths");
        c.crl_fetch.intermediates.push_back(resolve_path(base_dir, e.as<std::string>()));
      }
    }
    if (auto list = n["urls"]; list.IsDefined() && !list.IsNull()) {
      if (!list.IsSequence()) r.fail(list, "crl_fetch.urls", "must be a list of http:// URLs");
      for (const auto& e : list) {
        if (!e.IsScalar() || e.as<std::string>().rfind("http://", 0) != 0)
          r.fail(e, "crl_fetch.urls", "must be a list of http:// URLs");
        c.crl_fetch.urls.push_back(e.as<std::string>());
      }
    }
    c.crl_fetch.url_base = r.str(n, "crl_fetch", "url_base", false);
    if (!c.crl_fetch.url_base.empty() && c.crl_fetch.url_base.rfind("http://", 0) != 0)
      r.fail(n["url_base"], "crl_fetch.url_base", "must start with http://");
    if (c.crl_fetch.enabled && !c.tls.check_revocation)
      r.fail(n["enabled"], "crl_fetch.enabled", "needs tls.check_revocation: true");
  }
  c.crl_fetch.cache_dir = resolve_path(base_dir, c.crl_fetch.cache_dir);
  if (c.crl_fetch.enabled) c.tls.crl_cache_dir = c.crl_fetch.cache_dir;
  if (c.tls.check_revocation && c.tls.crls.empty() && !c.crl_fetch.enabled)
    r.fail(tls, "tls.crls", "required when tls.check_revocation is true and crl_fetch is off (revocation fails closed)");

  if (auto n = root["http"]; n.IsDefined()) {
    r.only_keys(n, "http", {"max_body_bytes", "header_timeout_ms", "body_timeout_ms", "idle_timeout_ms",
                            "max_requests_per_connection", "max_connection_lifetime_ms", "max_connections",
                            "max_connections_per_address", "max_pending_handshakes"});
    long long body = static_cast<long long>(c.max_body_bytes);
    r.get(n, "http", "max_body_bytes", body, "an integer");
    if (body < 1024 || body > (20ll << 20)) r.fail(n["max_body_bytes"], "http.max_body_bytes", "must be 1024..20971520");
    c.max_body_bytes = static_cast<std::size_t>(body);
    c.header_timeout_ms = r.positive(n, "http", "header_timeout_ms", c.header_timeout_ms);
    c.body_timeout_ms = r.positive(n, "http", "body_timeout_ms", c.body_timeout_ms);
    c.idle_timeout_ms = r.positive(n, "http", "idle_timeout_ms", c.idle_timeout_ms);
    c.max_requests_per_connection = r.positive(n, "http", "max_requests_per_connection", c.max_requests_per_connection);
    c.max_connection_lifetime_ms = r.positive(n, "http", "max_connection_lifetime_ms", c.max_connection_lifetime_ms);
    for (auto [key, value] : {std::pair<const char*, int*>{"max_connections", &c.max_connections},
                              {"max_connections_per_address", &c.max_connections_per_address},
                              {"max_pending_handshakes", &c.max_pending_handshakes}}) {
      r.get(n, "http", key, *value, "an integer");
      if (*value < 0) r.fail(n[key], std::string("http.") + key, "must be 0 (no cap) or more");
    }
  }
  // A resumed TLS session is the same session (WT008): its tickets live no longer than a connection.
  c.tls.session_lifetime_s = std::max(1, c.max_connection_lifetime_ms / 1000);
  if (auto n = root["workers"]; n.IsDefined()) {
    r.only_keys(n, "workers", {"threads", "max_queue"});
    c.worker_threads = r.positive(n, "workers", "threads", c.worker_threads);
    c.max_queue = r.positive(n, "workers", "max_queue", c.max_queue);
  }
  if (auto n = root["store"]; n.IsDefined()) {
    r.only_keys(n, "store", {"kind", "path", "dsn", "dsn_env", "migrate", "message_retention_days", "claim_lease_ms"});
    c.store_kind = r.str(n, "store", "kind", false, "sqlite");
    if (c.store_kind != "sqlite" && c.store_kind != "postgres") r.fail(n["kind"], "store.kind", "must be sqlite or postgres");
    if (c.store_kind == "postgres" && !sql::postgres_built())
      r.fail(n["kind"], "store.kind", "this edugate was built without PostgreSQL support (EDUGATE_WITH_POSTGRES)");
    c.store_path = r.str(n, "store", "path", false, c.store_path);
    std::string dsn = r.str(n, "store", "dsn", false), dsn_env = r.str(n, "store", "dsn_env", false);
    std::string migrate = r.str(n, "store", "migrate", false, "manual");
    if (migrate != "manual" && migrate != "auto") r.fail(n["migrate"], "store.migrate", "must be manual or auto");
    c.store_migrate_auto = migrate == "auto";
    if (c.store_kind == "postgres") {
      if (!dsn.empty() && !dsn_env.empty()) r.fail(n["dsn_env"], "store.dsn_env", "give dsn or dsn_env, not both");
      if (!dsn_env.empty()) {
        const char* v = std::getenv(dsn_env.c_str());
        if (!v || !*v) r.fail(n["dsn_env"], "store.dsn_env", "environment variable " + dsn_env + " is not set");
        dsn = v;
      }
      if (dsn.empty()) r.fail(n, "store.dsn", "required for kind postgres (a libpq connection string or URI), or dsn_env");
      c.store_dsn = dsn;
    } else if (!dsn.empty() || !dsn_env.empty()) {
      r.fail(n, "store.dsn", "only for kind postgres");
    }
    c.message_retention_days = r.positive(n, "store", "message_retention_days", c.message_retention_days);
    c.claim_lease_ms = r.positive(n, "store", "claim_lease_ms", c.claim_lease_ms);
  }
  c.store_path = resolve_path(base_dir, c.store_path);

  if (auto n = root["services"]; n.IsDefined()) {
    {
      auto names = service_names();
      r.only_keys(n, "services", std::set<std::string>(names.begin(), names.end()));
    }
    for (const auto& kv : n) {
      std::string name = kv.first.as<std::string>();
      std::string prefix = "services." + name;
      ServiceConfig sc;
      r.only_keys(kv.second, prefix, {"enabled", "adapter", "settings"});
      r.get(kv.second, prefix, "enabled", sc.enabled, "a boolean");
      sc.adapter = r.str(kv.second, prefix, "adapter", false, sc.adapter);
      // A missing key is an invalid node, which yaml-cpp refuses to assign: only a present one is taken.
      if (const YAML::Node given = kv.second["settings"]; given.IsDefined()) sc.settings = given;
      if (sc.settings.IsDefined() && !sc.settings.IsNull() && !sc.settings.IsMap())
        r.fail(sc.settings, prefix + ".settings", "must be a mapping");
      if (!sc.settings.IsDefined() || sc.settings.IsNull()) sc.settings = YAML::Node(YAML::NodeType::Map);
      c.services[name] = sc;
    }
  }

  if (auto n = root["remote"]; n.IsDefined()) {
    r.only_keys(n, "remote", {"url", "oin", "act_for", "timeout_ms"});
    c.remote_url = r.str(n, "remote", "url", true);
    if (c.remote_url.rfind("https://", 0) != 0) r.fail(n["url"], "remote.url", "must start with https://");
    c.remote_oin = r.oin(n, "remote", "oin");
    if (n["act_for"].IsDefined()) c.act_for = r.oin(n, "remote", "act_for");
    c.client_timeout_ms = r.positive(n, "remote", "timeout_ms", c.client_timeout_ms);
  }
  if (auto n = root["outbox"]; n.IsDefined()) {
    r.only_keys(n, "outbox", {"poll_ms", "senders", "max_attempts", "backoff_initial_ms", "backoff_max_ms",
                              "send_timeout_ms", "mutations_per_message", "mutation_poll_ms", "lease_ms"});
    c.outbox_poll_ms = r.positive(n, "outbox", "poll_ms", c.outbox_poll_ms);
    c.outbox_senders = r.positive(n, "outbox", "senders", c.outbox_senders);
    c.outbox_max_attempts = r.positive(n, "outbox", "max_attempts", c.outbox_max_attempts);
    c.outbox_backoff_initial_ms = r.positive(n, "outbox", "backoff_initial_ms", c.outbox_backoff_initial_ms);
    c.outbox_backoff_max_ms = r.positive(n, "outbox", "backoff_max_ms", c.outbox_backoff_max_ms);
    c.outbox_send_timeout_ms = r.positive(n, "outbox", "send_timeout_ms", c.outbox_send_timeout_ms);
    c.mutations_per_message = r.positive(n, "outbox", "mutations_per_message", c.mutations_per_message);
    if (c.mutations_per_message > 1000) r.fail(n["mutations_per_message"], "outbox.mutations_per_message", "must be <= 1000");
    c.mutation_poll_ms = r.positive(n, "outbox", "mutation_poll_ms", c.mutation_poll_ms);
    c.outbox_lease_ms = r.positive(n, "outbox", "lease_ms", c.outbox_lease_ms);
    if (c.outbox_lease_ms <= c.outbox_send_timeout_ms)
      r.fail(n["lease_ms"], "outbox.lease_ms", "must be longer than outbox.send_timeout_ms (an attempt must end within its lease)");
  }
  if (auto n = root["inbox"]; n.IsDefined()) {
    r.only_keys(n, "inbox", {"dir", "poll_ms"});
    c.inbox_dir = resolve_path(base_dir, r.str(n, "inbox", "dir", true));
    c.inbox_poll_ms = r.positive(n, "inbox", "poll_ms", c.inbox_poll_ms);
  }
  if (c.role == Role::consumer && !c.inbox_dir.empty() && c.remote_url.empty())
    r.fail(root["inbox"], "inbox", "needs remote.url and remote.oin to send the files to");
  if (c.role == Role::consumer && c.services.count("schoolontvangst") && !c.remote_oin)
    r.fail(root["services"], "services.schoolontvangst", "needs remote.oin: only that party may push to this school");
  if (auto n = root["wssecurity"]; n.IsDefined()) {
    r.only_keys(n, "wssecurity", {"require_signed", "skew_seconds", "sign_requests", "certificate", "private_key"});
    // A signing certificate of its own (G4: one purpose per certificate); both or neither.
    if (n["certificate"].IsDefined() || n["private_key"].IsDefined()) {
      c.tls.signing_certificate = resolve_path(base_dir, r.str(n, "wssecurity", "certificate", true));
      c.tls.signing_private_key = resolve_path(base_dir, r.str(n, "wssecurity", "private_key", true));
    }
    if (auto req = n["require_signed"]; req.IsDefined() && !req.IsNull()) {
      if (!req.IsSequence()) r.fail(req, "wssecurity.require_signed", "must be a list of service names (or [all])");
      for (const auto& e : req) {
        if (!e.IsScalar() || (e.as<std::string>() != "all" && !find_service(e.as<std::string>())))
          r.fail(e, "wssecurity.require_signed", "must name services: all, " + service_list(false));
        c.wss_require_signed.push_back(e.as<std::string>());
      }
    }
    c.wss_skew_seconds = r.positive(n, "wssecurity", "skew_seconds", c.wss_skew_seconds);
    if (c.wss_skew_seconds > 3600) r.fail(n["skew_seconds"], "wssecurity.skew_seconds", "must be <= 3600");
    r.get(n, "wssecurity", "sign_requests", c.wss_sign_requests, "a boolean");
  }
  if (auto n = root["admin"]; n.IsDefined() && !n.IsNull()) {
    r.only_keys(n, "admin", {"address", "port", "min_cert_days", "ready_requires_fresh_crls", "max_crl_age_s"});
    c.admin_address = r.str(n, "admin", "address", false, c.admin_address);
    if (n["port"].IsDefined() && !n["port"].IsNull()) {
      int port = r.positive(n, "admin", "port", 0, 0);
      if (port > 65535) r.fail(n["port"], "admin.port", "must be <= 65535");
      c.admin_port = static_cast<unsigned short>(port);
      c.admin_enabled = true;
    }
    c.admin_min_cert_days = r.positive(n, "admin", "min_cert_days", c.admin_min_cert_days, 0);
    r.get(n, "admin", "ready_requires_fresh_crls", c.admin_ready_requires_fresh_crls, "a boolean");
    c.admin_max_crl_age_s = r.positive(n, "admin", "max_crl_age_s", c.admin_max_crl_age_s, 0);
    if (c.admin_enabled && c.admin_port != 0 && c.admin_port == c.listen_port && c.admin_address == c.listen_address)
      r.fail(n["port"], "admin.port", "must differ from listen.port");
  }
  if (auto n = root["internal"]; n.IsDefined() && !n.IsNull()) {
    r.only_keys(n, "internal", {"address", "port", "max_body_bytes", "threads", "idle_timeout_ms", "tls"});
    if (c.role != Role::consumer) r.fail(n, "internal", "only for role consumer (the relay and the JSON bridge send to a provider)");
    c.internal_address = r.str(n, "internal", "address", false, c.internal_address);
    if (n["port"].IsDefined() && !n["port"].IsNull()) {
      int port = r.positive(n, "internal", "port", 0, 0);
      if (port > 65535) r.fail(n["port"], "internal.port", "must be <= 65535");
      c.internal_port = static_cast<unsigned short>(port);
      c.internal_enabled = true;
    }
    long long body = static_cast<long long>(c.max_body_bytes);
    r.get(n, "internal", "max_body_bytes", body, "an integer");
    if (body < 1024 || body > (20ll << 20)) r.fail(n["max_body_bytes"], "internal.max_body_bytes", "must be 1024..20971520");
    c.internal_max_body_bytes = static_cast<std::size_t>(body);
    c.internal_threads = r.positive(n, "internal", "threads", c.internal_threads);
    if (c.internal_threads > 256) r.fail(n["threads"], "internal.threads", "must be <= 256");
    c.internal_idle_timeout_ms = r.positive(n, "internal", "idle_timeout_ms", c.internal_idle_timeout_ms);
    if (auto t = n["tls"]; t.IsDefined() && !t.IsNull()) {
      r.only_keys(t, "internal.tls", {"certificate", "private_key", "client_ca"});
      auto file = [&](const char* key, bool required) {
        std::string p = resolve_path(base_dir, r.str(t, "internal.tls", key, required));
        if (!p.empty() && !std::filesystem::is_regular_file(p))
          r.fail(t[key], std::string("internal.tls.") + key, "no such file: " + p);
        return p;
      };
      c.internal_tls_certificate = file("certificate", true);
      c.internal_tls_private_key = file("private_key", true);
      c.internal_tls_client_ca = file("client_ca", false);
    }
    if (c.internal_enabled && c.internal_port != 0 &&
        ((c.internal_port == c.listen_port && c.internal_address == c.listen_address) ||
         (c.admin_enabled && c.internal_port == c.admin_port && c.internal_address == c.admin_address)))
      r.fail(n["port"], "internal.port", "must differ from listen.port and admin.port");
  }
  c.shutdown_grace_ms = r.positive(root, "", "shutdown_grace_ms", c.shutdown_grace_ms, 0);
  if (c.shutdown_grace_ms > 600000) r.fail(root["shutdown_grace_ms"], "shutdown_grace_ms", "must be <= 600000");
  if (auto n = root["log"]; n.IsDefined()) {
    r.only_keys(n, "log", {"level", "batch_ms"});
    c.log_level = r.str(n, "log", "level", false, c.log_level);
    c.log_batch_ms = r.positive(n, "log", "batch_ms", c.log_batch_ms, 0);
    if (c.log_batch_ms > 1000) r.fail(n["batch_ms"], "log.batch_ms", "must be <= 1000");
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.count(c.log_level)) r.fail(n["level"], "log.level", "must be one of trace, debug, info, warn, error, off");
  }
  return c;
}

std::vector<std::string> keys_needing_restart(const Config& a, const Config& b) {
  std::vector<std::string> out;
  auto differs = [&](bool d, const char* key) {
    if (d) out.emplace_back(key);
  };
  differs(a.role != b.role, "role");
  differs(!(a.oin == b.oin), "oin");
  differs(a.contract_dir != b.contract_dir, "contract_dir");
  differs(a.listen_address != b.listen_address || a.listen_port != b.listen_port || a.io_threads != b.io_threads, "listen");
  differs(a.tls.certificate != b.tls.certificate || a.tls.private_key != b.tls.private_key ||
              a.tls.trust_anchors != b.tls.trust_anchors || a.tls.crls != b.tls.crls ||
              a.tls.check_revocation != b.tls.check_revocation || a.tls_reload_poll_ms != b.tls_reload_poll_ms ||
              a.tls.session_tickets != b.tls.session_tickets || a.tls.ticket_key_rotation_s != b.tls.ticket_key_rotation_s,
          "tls");
  const auto &oa = a.tls.ocsp, &ob = b.tls.ocsp;
  differs(oa.peers != ob.peers || oa.staple != ob.staple || oa.responder_url != ob.responder_url ||
              oa.timeout_ms != ob.timeout_ms || oa.failure_retry_s != ob.failure_retry_s || oa.max_cache_s != ob.max_cache_s,
          "tls.ocsp");
  const auto &fa = a.crl_fetch, &fb = b.crl_fetch;
  differs(fa.enabled != fb.enabled || fa.refresh_interval_s != fb.refresh_interval_s || fa.timeout_ms != fb.timeout_ms ||
              fa.cache_dir != fb.cache_dir || fa.intermediates != fb.intermediates || fa.urls != fb.urls ||
              fa.url_base != fb.url_base || fa.learn_from_peers != fb.learn_from_peers || fa.max_learned != fb.max_learned,
          "crl_fetch");
  differs(a.max_body_bytes != b.max_body_bytes || a.header_timeout_ms != b.header_timeout_ms ||
              a.body_timeout_ms != b.body_timeout_ms || a.idle_timeout_ms != b.idle_timeout_ms ||
              a.max_requests_per_connection != b.max_requests_per_connection ||
              a.max_connection_lifetime_ms != b.max_connection_lifetime_ms || a.max_connections != b.max_connections ||
              a.max_connections_per_address != b.max_connections_per_address ||
              a.max_pending_handshakes != b.max_pending_handshakes,
          "http");
  differs(a.worker_threads != b.worker_threads || a.max_queue != b.max_queue, "workers");
  differs(a.store_kind != b.store_kind || a.store_dsn != b.store_dsn || a.store_migrate_auto != b.store_migrate_auto ||
              a.store_path != b.store_path || a.message_retention_days != b.message_retention_days ||
              a.claim_lease_ms != b.claim_lease_ms,
          "store");
  bool services = a.services.size() != b.services.size();
  for (const auto& [name, sa] : a.services) {
    auto it = b.services.find(name);
    services = services || it == b.services.end() || sa.enabled != it->second.enabled || sa.adapter != it->second.adapter ||
               YAML::Dump(sa.settings) != YAML::Dump(it->second.settings);
  }
  differs(services, "services");
  differs(a.remote_url != b.remote_url || a.remote_oin != b.remote_oin || a.act_for != b.act_for ||
              a.client_timeout_ms != b.client_timeout_ms,
          "remote");
  differs(a.outbox_poll_ms != b.outbox_poll_ms || a.outbox_senders != b.outbox_senders ||
              a.outbox_max_attempts != b.outbox_max_attempts || a.outbox_backoff_initial_ms != b.outbox_backoff_initial_ms ||
              a.outbox_backoff_max_ms != b.outbox_backoff_max_ms || a.outbox_send_timeout_ms != b.outbox_send_timeout_ms ||
              a.mutations_per_message != b.mutations_per_message || a.mutation_poll_ms != b.mutation_poll_ms ||
              a.outbox_lease_ms != b.outbox_lease_ms,
          "outbox");
  differs(a.inbox_dir != b.inbox_dir || a.inbox_poll_ms != b.inbox_poll_ms, "inbox");
  differs(a.wss_sign_requests != b.wss_sign_requests, "wssecurity.sign_requests");
  differs(
      a.tls.signing_certificate != b.tls.signing_certificate || a.tls.signing_private_key != b.tls.signing_private_key,
      "wssecurity.certificate");
  differs(a.admin_enabled != b.admin_enabled || a.admin_address != b.admin_address || a.admin_port != b.admin_port ||
              a.admin_min_cert_days != b.admin_min_cert_days ||
              a.admin_ready_requires_fresh_crls != b.admin_ready_requires_fresh_crls ||
              a.admin_max_crl_age_s != b.admin_max_crl_age_s,
          "admin");
  differs(a.internal_enabled != b.internal_enabled || a.internal_address != b.internal_address ||
              a.internal_port != b.internal_port || a.internal_max_body_bytes != b.internal_max_body_bytes ||
              a.internal_threads != b.internal_threads || a.internal_idle_timeout_ms != b.internal_idle_timeout_ms ||
              a.internal_tls_certificate != b.internal_tls_certificate ||
              a.internal_tls_private_key != b.internal_tls_private_key || a.internal_tls_client_ca != b.internal_tls_client_ca,
          "internal");
  return out;
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto abs = std::filesystem::absolute(path);
  return parse_config(ss.str(), path, abs.parent_path().string());
}

}  // namespace edugate::gateway
