#include "adapters/http_json/transport.h"

#include <boost/asio/ssl.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <random>
#include <thread>

#include "core/backend_error.h"
#include "security/https_client.h"

namespace edugate::adapters::http_json {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {

std::atomic<std::uint64_t> next_transport_id{1};

void log(spdlog::level::level_enum level, const json& line) {
  // A JSON object passes the gateway's log formatter unchanged (gateway/log.cc); identifiers
  // and outcomes only.
  spdlog::log(level, "{}", line.dump(-1, ' ', false, json::error_handler_t::replace));
}

// One keep-alive connection per worker thread and backend (security/https_client.h).
thread_local std::map<std::uint64_t, std::unique_ptr<security::HttpsClient>> t_connections;

enum class Failure { none, connect, timeout, io, status_retryable, status, malformed };

bool retryable(Failure f) { return f == Failure::connect || f == Failure::io || f == Failure::status_retryable; }

const char* to_string(Failure f) {
  switch (f) {
    case Failure::none: return "none";
    case Failure::connect: return "connect";
    case Failure::timeout: return "timeout";
    case Failure::io: return "io";
    case Failure::status_retryable:
    case Failure::status: return "status";
    case Failure::malformed: return "malformed";
  }
  return "?";
}

// A business refusal: 4xx (not 408/429) whose JSON body carries a non-empty meldingen list.
bool is_refusal(int status, const json& body) {
  return status >= 400 && status < 500 && status != 408 && status != 429 && body.is_object() &&
         body.contains("meldingen") && body["meldingen"].is_array() && !body["meldingen"].empty();
}

thread_local const std::string* t_idempotency_key = nullptr;

}  // namespace

IdempotencyKeyScope::IdempotencyKeyScope(const std::string& key) : previous_(t_idempotency_key) { t_idempotency_key = &key; }
IdempotencyKeyScope::~IdempotencyKeyScope() { t_idempotency_key = previous_; }

struct Transport::Attempt {
  Failure failure = Failure::none;
  int status = 0;
  std::string detail;  // cause, for the error text and the log (no payload)
  Answer answer;
};

Transport::Transport(Settings settings, std::string service)
    : settings_(std::move(settings)),
      service_(std::move(service)),
      breaker_(settings_.circuit_failures, std::chrono::milliseconds(settings_.circuit_cooldown_ms)),
      id_(next_transport_id++) {
  if (settings_.https) {
    tls_ = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX* ctx = tls_->native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    tls_->set_verify_mode(asio::ssl::verify_peer);
    try {
      if (settings_.ca_file.empty()) tls_->set_default_verify_paths();
      else tls_->load_verify_file(settings_.ca_file);
      if (!settings_.client_certificate.empty()) {
        tls_->use_certificate_chain_file(settings_.client_certificate);
        tls_->use_private_key_file(settings_.client_key, asio::ssl::context::pem);
      }
    } catch (const std::exception& e) {
      throw std::runtime_error("services." + service_ + ".settings (http_json): key 'tls': " + e.what());
    }
  }
}

Transport::~Transport() = default;

Transport::Attempt Transport::attempt(const std::string& target, const std::string& body,
                                       const std::string* idempotency_key) {
  Attempt a;
  auto& slot = t_connections[id_];
  if (!slot) {
    // The backend's certificate must name the host of the url (verify_name).
    security::Peer peer{settings_.host, settings_.port, tls_};
    peer.verify_name = true;
    slot = std::make_unique<security::HttpsClient>(std::move(peer));
  }
  security::HttpsClient& c = *slot;
  // One deadline per attempt: connect, TLS, request and answer.
  const auto deadline = security::deadline_in(std::chrono::milliseconds(settings_.timeout_ms));
  auto timed_out = [&] {
    a.failure = Failure::timeout;
    a.detail = "no answer within timeout_ms " + std::to_string(settings_.timeout_ms);
  };
  if (auto e = c.reuse_or_open(deadline)) {
    if (e->phase == security::Phase::resolve && e->timed_out()) {
      a.failure = Failure::timeout;
      a.detail = "name resolution timed out";
    } else if (e->timed_out()) {
      timed_out();
    } else {
      a.failure = Failure::connect;
      a.detail = e->phase == security::Phase::setup ? e->message() : "cannot connect: " + e->message();
    }
    return a;
  }
  const bool reused = c.reused();
  security::HttpsClient::Request req{http::verb::post, target, 11};
  const bool default_port = settings_.port == (settings_.https ? "443" : "80");
  const std::string host = settings_.host.find(':') != std::string::npos ? "[" + settings_.host + "]" : settings_.host;
  req.set(http::field::host, default_port ? host : host + ":" + settings_.port);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::accept, "application/json, application/problem+json");
  req.set(http::field::user_agent, "edugate-http_json");
  if (!settings_.auth_header.empty()) req.set(settings_.auth_header, settings_.auth_value);
  if (idempotency_key) req.set("Idempotency-Key", *idempotency_key);
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  security::HttpsClient::Response res;
  if (auto e = c.exchange(req, res, settings_.max_response_bytes, deadline)) {
    a.failure = Failure::io;
    if (e->timed_out()) timed_out();
    // A reused keep-alive connection the backend closed meanwhile: nothing was processed if
    // nothing came back; the caller may try a fresh connection (reads only).
    else if (reused) a.detail = "reused connection failed: " + e->message();
    else a.detail = "connection failed: " + e->message();
    return a;
  }
  a.status = static_cast<int>(res.result_int());
  json parsed;
  bool valid = false;
  try {
    parsed = json::parse(res.body());
    valid = true;
  } catch (const json::parse_error& e) {
    a.detail = "answer is not valid JSON (HTTP " + std::to_string(a.status) + ", at byte " + std::to_string(e.byte) + ")";
  }
  if (a.status >= 200 && a.status < 300) {
    if (!valid) {
      a.failure = Failure::malformed;
    } else if (!parsed.is_object()) {
      a.failure = Failure::malformed;
      a.detail = "answer is not a JSON object";
    } else {
      a.failure = Failure::none;
      a.answer.body = std::move(parsed);
    }
  } else if (valid && is_refusal(a.status, parsed)) {
    a.failure = Failure::none;
    a.answer.body = std::move(parsed);
    a.answer.refused = true;
  } else {
    a.failure = a.status >= 500 || a.status == 408 || a.status == 429 ? Failure::status_retryable : Failure::status;
    a.detail = "HTTP " + std::to_string(a.status) + (a.status < 500 ? " without meldingen" : "");
  }
  return a;
}

Answer Transport::call(const std::string& operation, const json& request, Kind kind) {
  const std::string target = settings_.base_path + "/" + service_ + "/" + operation;
  const std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);
  const int max_attempts = kind == Kind::read ? settings_.retries + 1 : 1;
  const std::string* idempotency_key = kind == Kind::write ? t_idempotency_key : nullptr;
  int backoff = settings_.backoff_ms;
  thread_local std::minstd_rand rng{std::random_device{}()};
  for (int n = 1;; ++n) {
    auto permit = breaker_.allow(CircuitBreaker::Clock::now());
    if (!permit) {
      throw BackendUnavailable("http_json " + service_ + "/" + operation + ": circuit open after " +
                               std::to_string(settings_.circuit_failures) + " failures; backend not called");
    }
    if (permit.trial) log(spdlog::level::info, {{"event", "backend_circuit_trial"}, {"service", service_}, {"operation", operation}});
    Attempt a = attempt(target, body, idempotency_key);
    const bool ok = a.failure == Failure::none;
    const auto before = breaker_.state();
    breaker_.record(permit, ok, CircuitBreaker::Clock::now());
    const auto after = breaker_.state();
    if (before != after)
      log(after == CircuitBreaker::State::open ? spdlog::level::err : spdlog::level::info,
          {{"event", after == CircuitBreaker::State::open ? "backend_circuit_open" : "backend_circuit_closed"},
           {"service", service_}, {"url", settings_.url}, {"cooldown_ms", settings_.circuit_cooldown_ms}});
    if (ok) return std::move(a.answer);
    const bool again = kind == Kind::read && n < max_attempts && retryable(a.failure);
    log(spdlog::level::warn, {{"event", "backend_attempt_failed"}, {"service", service_}, {"operation", operation},
                              {"attempt", n}, {"cause", to_string(a.failure)}, {"status", a.status},
                              {"detail", a.detail}, {"retry", again}});
    if (!again)
      throw BackendUnavailable("http_json " + service_ + "/" + operation + ": " + a.detail +
                               (n > 1 ? " (after " + std::to_string(n) + " attempts)" : ""));
    if (backoff > 0) {
      std::uniform_int_distribution<int> half(0, backoff / 2);
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff - backoff / 2 + half(rng)));
      backoff = std::min(backoff * 2, 60000);
    }
  }
}

}  // namespace edugate::adapters::http_json
