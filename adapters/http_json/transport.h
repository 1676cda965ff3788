#pragma once
// One backend service over HTTP(S) with JSON bodies: POST <base path>/<service>/<operation>.
// Per attempt one deadline (timeout_ms: connect, TLS, request, answer). Reads are retried after
// a connect error or a 5xx/408/429 answer (never after a timeout: the caller has waited its
// time); writes are sent once. A circuit breaker counts failed attempts. Keep-alive connections
// are kept per worker thread. Every failure throws edugate::BackendUnavailable whose text names
// the service, operation and cause (never payload content: it is logged by the gateway).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "adapters/http_json/circuit_breaker.h"
#include "adapters/http_json/config.h"

namespace boost::asio::ssl {
class context;
}

namespace edugate::adapters::http_json {

enum class Kind { read, write };

// While one is alive on a thread, that thread's writes carry `Idempotency-Key: <key>`: the
// message's WriteKey ("<OIN>/<MessageID>", core/keyed_writes.h), set by the http_json backends'
// keyed(). The backend must honour it (docs/HTTP_JSON_BACKEND.md "Idempotency-Key").
class IdempotencyKeyScope {
 public:
  explicit IdempotencyKeyScope(const std::string& key);  // `key` must outlive the scope
  ~IdempotencyKeyScope();
  IdempotencyKeyScope(const IdempotencyKeyScope&) = delete;
  IdempotencyKeyScope& operator=(const IdempotencyKeyScope&) = delete;

 private:
  const std::string* previous_;
};

struct Answer {
  nlohmann::json body;    // the 2xx answer, or the problem document of a business refusal
  bool refused = false;   // 4xx with problem+json carrying meldingen: a business answer
};

class Transport {
 public:
  Transport(Settings settings, std::string service);  // throws std::runtime_error on unusable TLS files
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  Answer call(const std::string& operation, const nlohmann::json& request, Kind kind);

  CircuitBreaker::State circuit_state() const { return breaker_.state(); }
  const Settings& settings() const { return settings_; }

 private:
  struct Attempt;
  Attempt attempt(const std::string& target, const std::string& body, const std::string* idempotency_key);

  Settings settings_;
  std::string service_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  CircuitBreaker breaker_;
  std::uint64_t id_;  // keys this transport's connections in each thread's cache
};

}  // namespace edugate::adapters::http_json
