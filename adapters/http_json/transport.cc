#include "adapters/http_json/transport.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <map>
#include <random>
#include <thread>

#include "core/backend_error.h"

namespace edugate::adapters::http_json {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace {

std::atomic<std::uint64_t> next_transport_id{1};

void log(spdlog::level::level_enum level, const json& line) {
  // A JSON object passes the gateway's log formatter unchanged (gateway/log.cc); identifiers
  // and outcomes only.
  spdlog::log(level, "{}", line.dump(-1, ' ', false, json::error_handler_t::replace));
}

// One keep-alive connection of one worker thread to one backend, with its own io_context: every
// step is an asynchronous operation run to completion here, so the tcp_stream's deadline holds.
struct Connection {
  asio::io_context ioc;
  std::shared_ptr<asio::ssl::context> tls_ctx;  // kept alive with the stream
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  bool open() { return (plain || tls) && lowest().socket().is_open(); }
  // An idle keep-alive connection the backend has closed (or that has unexpected bytes waiting)
  // is not reused.
  bool still_usable() {
    if (!open()) return false;
    char c;
    ssize_t n = ::recv(lowest().socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  void reset() {
    if (plain || tls) {
      beast::error_code ec;
      lowest().socket().close(ec);
    }
    tls.reset();
    plain.reset();
    buffer.clear();
  }
};

thread_local std::map<std::uint64_t, std::unique_ptr<Connection>> t_connections;

template <class Start>
void await(asio::io_context& ioc, Start start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  if (result) throw beast::system_error(result);
}

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

}  // namespace

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

Transport::Attempt Transport::attempt(const std::string& target, const std::string& body) {
  Attempt a;
  auto& slot = t_connections[id_];
  if (!slot) slot = std::make_unique<Connection>();
  Connection& c = *slot;
  const auto timeout = std::chrono::milliseconds(settings_.timeout_ms);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return d.count() > 0 ? d : std::chrono::milliseconds(1);
  };
  bool reused = c.still_usable();
  bool sent = false;
  try {
    if (!reused) {
      c.reset();
      a.failure = Failure::connect;
      tcp::resolver resolver(c.ioc);
      tcp::resolver::results_type endpoints;
      beast::error_code rec = asio::error::would_block;
      resolver.async_resolve(settings_.host, settings_.port, [&](beast::error_code ec, tcp::resolver::results_type r) {
        rec = ec;
        endpoints = std::move(r);
      });
      c.ioc.restart();
      c.ioc.run_for(left());
      if (rec == asio::error::would_block) {
        resolver.cancel();
        c.ioc.restart();
        c.ioc.run();
        a.failure = Failure::timeout;
        a.detail = "name resolution timed out";
        return a;
      }
      if (rec) throw beast::system_error(rec);
      if (settings_.https) {
        c.tls_ctx = tls_;
        c.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(c.ioc, *tls_);
        // The backend's certificate must name the host of the url: a DNS name (also sent as
        // SNI) or an IP address (matched against its IP SANs; SNI carries no addresses).
        SSL* ssl = c.tls->native_handle();
        beast::error_code not_ip;
        asio::ip::make_address(settings_.host, not_ip);
        const bool ok = not_ip ? SSL_set_tlsext_host_name(ssl, settings_.host.c_str()) == 1 &&
                                     SSL_set1_host(ssl, settings_.host.c_str()) == 1
                               : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), settings_.host.c_str()) == 1;
        if (!ok) throw std::runtime_error("cannot set the TLS server name");
      } else {
        c.plain = std::make_unique<beast::tcp_stream>(c.ioc);
      }
      c.lowest().expires_after(left());
      await(c.ioc, [&](auto done) { c.lowest().async_connect(endpoints, std::move(done)); });
      if (c.tls) {
        c.lowest().expires_after(left());
        await(c.ioc, [&](auto done) { c.tls->async_handshake(asio::ssl::stream_base::client, std::move(done)); });
      }
    }
    a.failure = Failure::io;
    http::request<http::string_body> req{http::verb::post, target, 11};
    const bool default_port = settings_.port == (settings_.https ? "443" : "80");
    const std::string host = settings_.host.find(':') != std::string::npos ? "[" + settings_.host + "]" : settings_.host;
    req.set(http::field::host, default_port ? host : host + ":" + settings_.port);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json, application/problem+json");
    req.set(http::field::user_agent, "edugate-http_json");
    if (!settings_.auth_header.empty()) req.set(settings_.auth_header, settings_.auth_value);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    c.lowest().expires_after(left());
    sent = true;
    if (c.tls) await(c.ioc, [&](auto done) { http::async_write(*c.tls, req, std::move(done)); });
    else await(c.ioc, [&](auto done) { http::async_write(*c.plain, req, std::move(done)); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(settings_.max_response_bytes);
    c.lowest().expires_after(left());
    if (c.tls) await(c.ioc, [&](auto done) { http::async_read(*c.tls, c.buffer, parser, std::move(done)); });
    else await(c.ioc, [&](auto done) { http::async_read(*c.plain, c.buffer, parser, std::move(done)); });
    auto& res = parser.get();
    a.status = static_cast<int>(res.result_int());
    if (!res.keep_alive()) c.reset();
    else c.lowest().expires_never();
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
  } catch (const beast::system_error& e) {
    c.reset();
    if (e.code() == beast::error::timeout) {
      a.failure = Failure::timeout;
      a.detail = "no answer within timeout_ms " + std::to_string(settings_.timeout_ms);
    } else {
      if (a.failure == Failure::none) a.failure = Failure::io;
      // A reused keep-alive connection the backend closed meanwhile: nothing was processed if
      // nothing came back; the caller may try a fresh connection (reads only).
      if (reused && sent && a.failure == Failure::io) a.detail = "reused connection failed: " + e.code().message();
      else a.detail = (a.failure == Failure::connect ? "cannot connect: " : "connection failed: ") + e.code().message();
    }
  } catch (const std::exception& e) {
    c.reset();
    if (a.failure == Failure::none) a.failure = Failure::io;
    a.detail = e.what();
  }
  return a;
}

Answer Transport::call(const std::string& operation, const json& request, Kind kind) {
  const std::string target = settings_.base_path + "/" + service_ + "/" + operation;
  const std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);
  const int max_attempts = kind == Kind::read ? settings_.retries + 1 : 1;
  int backoff = settings_.backoff_ms;
  thread_local std::minstd_rand rng{std::random_device{}()};
  for (int n = 1;; ++n) {
    auto permit = breaker_.allow(CircuitBreaker::Clock::now());
    if (!permit) {
      throw BackendUnavailable("http_json " + service_ + "/" + operation + ": circuit open after " +
                               std::to_string(settings_.circuit_failures) + " failures; backend not called");
    }
    if (permit.trial) log(spdlog::level::info, {{"event", "backend_circuit_trial"}, {"service", service_}, {"operation", operation}});
    Attempt a = attempt(target, body);
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
