#include "gateway/internal.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>

#include "gateway/log.h"

namespace edugate::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Internal::Shared {
  asio::io_context& ioc;
  const Config& config;
  Relay& relay;
  Bridge& bridge;
  std::string openapi;
  asio::thread_pool pool;
  tcp::acceptor acceptor;
  std::atomic<bool> stopped{false};

  Shared(asio::io_context& i, const Config& c, Relay& r, Bridge& b, std::string_view doc)
      : ioc(i), config(c), relay(r), bridge(b), openapi(doc), pool(static_cast<std::size_t>(c.internal_threads)),
        acceptor(asio::make_strand(i)) {}
};

namespace {

std::optional<std::string> header(const http::request<http::string_body>& req, std::string_view name) {
  auto it = req.find(beast::string_view(name.data(), name.size()));
  if (it == req.end()) return std::nullopt;
  return std::string(it->value());
}

class InternalSession : public std::enable_shared_from_this<InternalSession> {
 public:
  InternalSession(tcp::socket socket, std::shared_ptr<Internal::Shared> shared)
      : shared_(std::move(shared)), stream_(std::move(socket)) {}

  void run() {
    parser_.header_limit(16 * 1024);
    parser_.body_limit(shared_->config.internal_max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(shared_->config.header_timeout_ms));
    http::async_read_header(stream_, buffer_, parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_header(ec);
    });
  }

 private:
  void on_header(beast::error_code ec) {
    // Too large: refused before the body is read (Beast compares Content-Length with the limit
    // while it reads the header).
    if (ec == http::error::body_limit) return too_large();
    if (ec) return close();
    if (auto len = parser_.content_length(); len && *len > shared_->config.internal_max_body_bytes)
      return too_large();
    stream_.expires_after(std::chrono::milliseconds(shared_->config.body_timeout_ms));
    http::async_read(stream_, buffer_, parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void too_large() {
    linger_ = true;
    reply(problem(413, "DK0001",
                  "body groter dan internal.max_body_bytes (" + std::to_string(shared_->config.internal_max_body_bytes) + ")",
                  ""));
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) return too_large();
    if (ec) return close();
    stream_.expires_never();  // the answer may wait for the receiver (remote.timeout_ms)
    const auto& req = parser_.get();
    std::string target(req.target());
    target = target.substr(0, target.find('?'));
    if (target == "/v1/openapi.json") {
      if (req.method() != http::verb::get && req.method() != http::verb::head)
        return reply(problem(405, "", "alleen GET", ""));
      return reply(HttpAnswer{200, "application/json", shared_->openapi, {}});
    }
    if (req.method() != http::verb::post)
      return reply(problem(405, "", "alleen POST (of GET /v1/openapi.json)", ""));
    if (target == "/relay") {
      return off_loop([this] {
        const auto& rq = parser_.get();
        return shared_->relay.handle(rq.body(), header(rq, "SOAPAction"));
      });
    }
    if (target.rfind("/v1/", 0) == 0) {
      std::string rest = target.substr(4);
      auto slash = rest.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size() ||
          rest.find('/', slash + 1) != std::string::npos)
        return reply(problem(404, "DK0003", "pad moet /v1/{service}/{operatie} zijn", "path"));
      return off_loop([this, service = rest.substr(0, slash), operation = rest.substr(slash + 1)] {
        const auto& rq = parser_.get();
        BridgeRequest br{service, operation, header(rq, "Content-Type").value_or(""), rq.body(),
                         header(rq, "Edugate-Act-For"), header(rq, "Idempotency-Key")};
        return shared_->bridge.handle(br);
      });
    }
    reply(problem(404, "", "niet gevonden: POST /relay, POST /v1/{service}/{operatie}, GET /v1/openapi.json", "path"));
  }

  template <class Work>
  void off_loop(Work work) {
    asio::post(shared_->pool, [self = shared_from_this(), work = std::move(work)]() mutable {
      HttpAnswer a;
      try {
        a = work();
      } catch (const std::exception& e) {
        jlog::error("internal_failed", {{"error", e.what()}});
        a = problem(500, "", "onverwachte fout", "");
      }
      asio::post(self->stream_.get_executor(), [self, a = std::move(a)]() mutable { self->reply(std::move(a)); });
    });
  }

  void reply(HttpAnswer a) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(a.status), 11);
    res->set(http::field::content_type, a.content_type);
    res->set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : a.headers) res->set(k, v);
    res->keep_alive(false);
    const bool head = parser_.is_header_done() && parser_.get().method() == http::verb::head;
    res->body() = std::move(a.body);
    res->prepare_payload();
    if (head) res->body().clear();
    stream_.expires_after(std::chrono::milliseconds(shared_->config.body_timeout_ms));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
      if (self->linger_) return self->linger();
      self->close();
    });
  }

  // After a 413 the client may still be sending the body: closing at once would reset the
  // connection and lose the answer, so the rest is read and dropped, for a short while.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > (64u << 20)) return self->close();
      self->linger();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  std::shared_ptr<Internal::Shared> shared_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  bool linger_ = false;
  std::array<char, 16 * 1024> drain_{};
  std::size_t drained_ = 0;
};

void internal_accept(std::shared_ptr<Internal::Shared> shared) {
  shared->acceptor.async_accept(asio::make_strand(shared->ioc), [shared](beast::error_code ec, tcp::socket socket) {
    if (shared->stopped) return;
    if (!ec) std::make_shared<InternalSession>(std::move(socket), shared)->run();
    internal_accept(shared);
  });
}

}  // namespace

Internal::Internal(asio::io_context& ioc, const Config& config, Relay& relay, Bridge& bridge, std::string_view openapi_json)
    : shared_(std::make_shared<Shared>(ioc, config, relay, bridge, openapi_json)) {}

Internal::~Internal() {
  stop();
  shared_->pool.join();
}

void Internal::start() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(shared_->config.internal_address, ec);
  if (ec) throw std::runtime_error("internal.address is not an IP address: " + shared_->config.internal_address);
  tcp::endpoint ep(addr, shared_->config.internal_port);
  auto& a = shared_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on internal " + shared_->config.internal_address + ":" +
                             std::to_string(shared_->config.internal_port) + ": " + ec.message());
  internal_accept(shared_);
}

void Internal::stop() {
  if (shared_->stopped.exchange(true)) return;
  asio::post(shared_->acceptor.get_executor(), [s = shared_] {
    beast::error_code ec;
    s->acceptor.close(ec);
  });
}

unsigned short Internal::port() const { return shared_->acceptor.local_endpoint().port(); }

}  // namespace edugate::gateway
