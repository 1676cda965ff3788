#include "gateway/edge/internal.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <type_traits>

#include "core/rules.h"
#include "gateway/edge/http_strict.h"
#include "gateway/edge/listening.h"
#include "gateway/ops/log.h"

namespace edugate::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
// What drain() needs of a session, whatever its stream.
struct InternalConn {
  virtual ~InternalConn() = default;
  virtual void drain() = 0;
};
}  // namespace

struct Internal::Shared {
  asio::io_context& ioc;
  const Config& config;
  Relay& relay;
  Bridge& bridge;
  std::string openapi;
  asio::thread_pool pool;
  tcp::acceptor acceptor;
  std::atomic<bool> stopped{false};
  security::SslContextPtr tls;  // internal.tls; null: plain HTTP
  ConnectionSet<InternalConn> sessions;  // open connections, for drain()

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

// One connection: plain HTTP (beast::tcp_stream) or TLS (beast::ssl_stream), HTTP/1.1 keep-alive
// with internal.idle_timeout_ms between requests.
template <class Stream>
class InternalSession : public InternalConn, public std::enable_shared_from_this<InternalSession<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  InternalSession(tcp::socket socket, std::shared_ptr<Internal::Shared> shared)
      : shared_(std::move(shared)), stream_(make_stream(std::move(socket), *shared_)) {}

  ~InternalSession() override { shared_->sessions.remove(id_); }

  void run() {
    id_ = shared_->sessions.add(this->weak_from_this());
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) self->handshake();
      else self->read_header();
    });
  }

  // Graceful shutdown (on the session's strand): a connection waiting for a request that has
  // received nothing of it is closed now; any other finishes its request, answered with
  // Connection: close (reply() sees `stopped`).
  void drain() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->phase_ != Phase::waiting || self->buffer_.size() > 0 || (self->parser_ && self->parser_->got_some())) return;
      beast::error_code ec;
      auto& socket = beast::get_lowest_layer(self->stream_).socket();
      if (socket.available(ec) > 0 && !ec) return;  // a request is arriving
      self->phase_ = Phase::closing;
      socket.shutdown(tcp::socket::shutdown_both, ec);
      beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  static Stream make_stream(tcp::socket socket, Internal::Shared& shared) {
    if constexpr (kTls) return Stream(std::move(socket), *shared.tls);
    else return Stream(std::move(socket));
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const Config& cfg() const { return shared_->config; }

  void handshake() {
    if constexpr (kTls) {
      phase_ = Phase::handshake;
      lowest().expires_after(std::chrono::milliseconds(cfg().header_timeout_ms));
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) {
          jlog::info("internal_tls_refused", {{"reason", ec.message()}});
          return self->close();
        }
        self->read_header();
      });
    }
  }

  void read_header() {
    // Shutting down: a connection that was answered is not kept for another request.
    if (shared_->stopped && requests_ > 0) return finish();
    if (buffer_.size() == 0 && buffer_.capacity() > 16 * 1024) buffer_.shrink_to_fit();
    phase_ = Phase::waiting;
    keep_alive_ = false;
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(cfg().internal_max_body_bytes);
    lowest().expires_after(std::chrono::milliseconds(requests_ == 0 ? cfg().header_timeout_ms : cfg().internal_idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_header(ec);
    });
  }

  void on_header(beast::error_code ec) {
    // Too large: refused before the body is read (Beast compares Content-Length with the limit
    // while it reads the header).
    if (ec) return refuse_or_close(ec);
    phase_ = Phase::reading;
    if (auto r = strict::refusal_of(parser_->get())) return refuse(*r);
    lowest().expires_after(std::chrono::milliseconds(cfg().body_timeout_ms));
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  // A read error: answered and closed (strict HTTP), or the client went away.
  void refuse_or_close(beast::error_code ec) {
    if (auto r = strict::refusal_of(ec, parser_->get(), cfg().internal_max_body_bytes)) return refuse(*r);
    close();
  }

  // The last answer on this connection, as problem+json like the bridge's other answers (a too
  // large body is DK0001, as the bridge would say); nothing read behind it is parsed.
  void refuse(const strict::Refusal& r) {
    phase_ = Phase::closing;
    strict::record(r, "internal", nullptr);
    const auto code = r.status == http::status::payload_too_large ? std::string(rules::DK0001.code) : std::string();
    strict::answer_and_close(stream_, this->shared_from_this(), response(problem(static_cast<int>(r.status), code, r.text, "")),
                             std::chrono::milliseconds(cfg().body_timeout_ms));
  }

  void on_read(beast::error_code ec) {
    if (ec) return refuse_or_close(ec);
    phase_ = Phase::processing;
    ++requests_;
    lowest().expires_never();  // the answer may wait for the receiver (remote.timeout_ms)
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
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
        const auto& rq = parser_->get();
        return shared_->relay.handle(rq.body(), header(rq, "SOAPAction"));
      });
    }
    if (target.rfind("/v1/", 0) == 0) {
      std::string rest = target.substr(4);
      auto slash = rest.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size() ||
          rest.find('/', slash + 1) != std::string::npos)
        return reply(problem(404, rules::DK0003, "pad moet /v1/{service}/{operatie} zijn", "path"));
      return off_loop([this, service = rest.substr(0, slash), operation = rest.substr(slash + 1)] {
        const auto& rq = parser_->get();
        BridgeRequest br{service, operation, header(rq, "Content-Type").value_or(""), rq.body(),
                         header(rq, "Edugate-Act-For"), header(rq, "Idempotency-Key")};
        return shared_->bridge.handle(br);
      });
    }
    reply(problem(404, "", "niet gevonden: POST /relay, POST /v1/{service}/{operatie}, GET /v1/openapi.json", "path"));
  }

  template <class Work>
  void off_loop(Work work) {
    asio::post(shared_->pool, [self = this->shared_from_this(), work = std::move(work)]() mutable {
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

  static http::response<http::string_body> response(HttpAnswer a) {
    http::response<http::string_body> res(static_cast<http::status>(a.status), 11);
    res.set(http::field::content_type, a.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : a.headers) res.set(k, v);
    res.body() = std::move(a.body);
    return res;
  }

  void reply(HttpAnswer a) {
    phase_ = Phase::writing;
    keep_alive_ = keep_alive_ && !shared_->stopped;  // shutting down: this answer is the last
    auto res = std::make_shared<http::response<http::string_body>>(response(std::move(a)));
    res->keep_alive(keep_alive_);
    const bool head = parser_ && parser_->is_header_done() && parser_->get().method() == http::verb::head;
    res->prepare_payload();
    if (head) res->body().clear();
    lowest().expires_after(std::chrono::milliseconds(cfg().body_timeout_ms));
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (self->keep_alive_) return self->read_header();
      self->finish();
    });
  }

  // The end of a connection after its last answer: TLS says close_notify first.
  void finish() {
    phase_ = Phase::closing;
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
    } else {
      close();
    }
  }

  void close() {
    phase_ = Phase::closing;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  std::shared_ptr<Internal::Shared> shared_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  int requests_ = 0;
  bool keep_alive_ = false;
  enum class Phase { handshake, waiting, reading, processing, writing, closing } phase_ = Phase::handshake;
  std::uint64_t id_ = 0;
};

void internal_accept(std::shared_ptr<Internal::Shared> shared) {
  shared->acceptor.async_accept(asio::make_strand(shared->ioc), [shared](beast::error_code ec, tcp::socket socket) {
    if (shared->stopped) return;
    if (!ec) {
      if (shared->tls) std::make_shared<InternalSession<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), shared)->run();
      else std::make_shared<InternalSession<beast::tcp_stream>>(std::move(socket), shared)->run();
    }
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
  const Config& c = shared_->config;
  if (!c.internal_tls_certificate.empty())  // throws naming the file that does not load
    shared_->tls = security::make_local_server_context(c.internal_tls_certificate, c.internal_tls_private_key,
                                                       c.internal_tls_client_ca);
  listen_on(shared_->acceptor, "internal", shared_->config.internal_address, shared_->config.internal_port);
  internal_accept(shared_);
}

void Internal::stop() { stop_accepting(shared_); }

void Internal::drain() {
  stop();
  shared_->sessions.drain_all();
}

std::size_t Internal::open_connections() const { return shared_->sessions.size(); }

bool Internal::tls() const { return shared_->tls != nullptr; }

unsigned short Internal::port() const { return shared_->acceptor.local_endpoint().port(); }

}  // namespace edugate::gateway
