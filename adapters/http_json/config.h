#pragma once
// The settings of the http_json backend adapter (docs/HTTP_JSON_BACKEND.md), validated once at
// start-up: unknown keys and bad values throw std::runtime_error naming the key.
#include <chrono>
#include <cstddef>
#include <string>

#include "adapters/registry.h"

namespace edugate::adapters::http_json {

struct Settings {
  // url: scheme, host, optional port and base path; requests go to <base path>/<service>/<operation>.
  bool https = false;
  std::string host, port, base_path;
  std::string url;  // as configured (for log lines; it carries no secret)

  int timeout_ms = 5000;         // one attempt: connect, TLS, request and the whole answer
  int retries = 2;               // further attempts of a read after a connect error or a 5xx
  int backoff_ms = 100;          // before the first retry, doubled before each next one (equal jitter)
  int circuit_failures = 5;      // consecutive failed attempts that open the circuit
  int circuit_cooldown_ms = 30000;  // open this long, then one trial request
  std::size_t max_response_bytes = 32u << 20;  // PDFs travel base64 in answers

  // https only: trust for the backend's certificate (PEM; empty: the system's trust store) and an
  // optional client certificate (PEM chain) and key.
  std::string ca_file, client_certificate, client_key;

  // Optional header with a secret read from the environment at start (never logged):
  // <auth.header>: <auth.scheme> <value of $auth.token_env>.
  std::string auth_header, auth_value;
};

Settings parse_settings(const AdapterContext& ctx, const std::string& service);

}  // namespace edugate::adapters::http_json
