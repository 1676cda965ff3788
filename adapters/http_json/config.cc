#include "adapters/http_json/config.h"

#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include "core/url.h"

namespace edugate::adapters::http_json {
namespace {

class Reader {
 public:
  Reader(const AdapterContext& ctx, std::string prefix) : ctx_(ctx), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw std::runtime_error(prefix_ + ": key '" + key + "' " + problem);
  }
  void only(const YAML::Node& node, const std::string& where, const std::set<std::string>& known) const {
    if (!node || node.IsNull()) return;
    if (!node.IsMap()) fail(where, "must be a mapping");
    for (const auto& kv : node) {
      auto key = kv.first.as<std::string>();
      if (!known.count(key)) throw std::runtime_error(prefix_ + ": unknown key '" + (where.empty() ? "" : where + ".") + key + "'");
    }
  }
  std::string text(const YAML::Node& n, const std::string& key, bool required) const {
    if (!n || n.IsNull()) {
      if (required) fail(key, "is required");
      return {};
    }
    if (!n.IsScalar()) fail(key, "must be a string");
    return n.as<std::string>();
  }
  int integer(const YAML::Node& n, const std::string& key, int def, int min, int max) const {
    if (!n || n.IsNull()) return def;
    int v = 0;
    try {
      v = n.as<int>();
    } catch (const YAML::Exception&) {
      fail(key, "must be an integer");
    }
    if (v < min || v > max) fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return v;
  }
  std::string file(const YAML::Node& n, const std::string& key) const {
    std::string p = text(n, key, false);
    if (p.empty()) return p;
    p = resolve(ctx_.base_dir, p);
    if (!std::filesystem::is_regular_file(p)) fail(key, "names a file that does not exist: " + p);
    return p;
  }

 private:
  const AdapterContext& ctx_;
  std::string prefix_;
};

}  // namespace

Settings parse_settings(const AdapterContext& ctx, const std::string& service) {
  Reader r(ctx, "services." + service + ".settings (http_json)");
  const YAML::Node& s = ctx.settings;
  if (!s.IsDefined() || s.IsNull()) r.fail("url", "is required");
  r.only(s, "", {"url", "timeout_ms", "retries", "backoff_ms", "circuit_breaker", "tls", "auth", "max_response_bytes"});
  Settings out;
  out.url = r.text(s["url"], "url", true);
  if (out.url.rfind("https://", 0) == 0) out.https = true;
  else if (out.url.rfind("http://", 0) != 0) r.fail("url", "must start with http:// or https://");
  auto u = parse_url(out.url);
  if (!u) {
    const std::string& why = u.error().message;
    r.fail("url", why == "user information in the URL" ? "must not carry credentials (use auth.token_env)"
                  : why == "malformed port"             ? "has an invalid port"
                  : why == "no host in the URL"         ? "has no host"
                                                        : why);
  }
  if (out.url.find_first_of("?#") != std::string::npos) r.fail("url", "must not carry a query or fragment");
  out.host = u->host;
  out.port = u->port;
  out.base_path = u->path();
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();

  out.timeout_ms = r.integer(s["timeout_ms"], "timeout_ms", out.timeout_ms, 1, 600000);
  out.retries = r.integer(s["retries"], "retries", out.retries, 0, 10);
  out.backoff_ms = r.integer(s["backoff_ms"], "backoff_ms", out.backoff_ms, 0, 60000);
  out.max_response_bytes = static_cast<std::size_t>(
      r.integer(s["max_response_bytes"], "max_response_bytes", static_cast<int>(out.max_response_bytes), 1024, 256 << 20));

  const YAML::Node cb = s["circuit_breaker"];
  r.only(cb, "circuit_breaker", {"failures", "cooldown_ms"});
  if (cb && cb.IsMap()) {
    out.circuit_failures = r.integer(cb["failures"], "circuit_breaker.failures", out.circuit_failures, 1, 1000);
    out.circuit_cooldown_ms = r.integer(cb["cooldown_ms"], "circuit_breaker.cooldown_ms", out.circuit_cooldown_ms, 1, 3600000);
  }

  const YAML::Node tls = s["tls"];
  r.only(tls, "tls", {"ca_file", "certificate", "private_key"});
  if (tls && tls.IsMap()) {
    if (!out.https) r.fail("tls", "applies to an https:// url only");
    out.ca_file = r.file(tls["ca_file"], "tls.ca_file");
    out.client_certificate = r.file(tls["certificate"], "tls.certificate");
    out.client_key = r.file(tls["private_key"], "tls.private_key");
    if (out.client_certificate.empty() != out.client_key.empty())
      r.fail(out.client_key.empty() ? "tls.private_key" : "tls.certificate", "is required with the other one");
  }

  const YAML::Node auth = s["auth"];
  r.only(auth, "auth", {"header", "scheme", "token_env"});
  if (auth && auth.IsMap()) {
    out.auth_header = r.text(auth["header"], "auth.header", false);
    if (out.auth_header.empty()) out.auth_header = "Authorization";
    if (out.auth_header.find_first_of(" :\r\n") != std::string::npos) r.fail("auth.header", "is not a header name");
    std::string scheme = auth["scheme"] ? r.text(auth["scheme"], "auth.scheme", false) : "Bearer";
    std::string env = r.text(auth["token_env"], "auth.token_env", true);
    const char* token = std::getenv(env.c_str());
    if (!token || !*token) r.fail("auth.token_env", "names the environment variable " + env + ", which is not set");
    std::string t(token);
    if (t.find_first_of("\r\n") != std::string::npos) r.fail("auth.token_env", "the token in " + env + " contains a line break");
    out.auth_value = scheme.empty() ? t : scheme + " " + t;
  }
  return out;
}

}  // namespace edugate::adapters::http_json
