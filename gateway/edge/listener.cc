#include "gateway/edge/listener.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <map>
#include <mutex>

#include "core/rules.h"
#include "gateway/edge/connection_limits.h"
#include "gateway/edge/http_strict.h"
#include "gateway/edge/listening.h"
#include "gateway/edge/tls_stream.h"
#include "gateway/ops/log.h"
#include "security/revocation.h"
#include "security/tls_session.h"

namespace edugate::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
class Session;
}  // namespace

struct Listener::Shared {
  asio::io_context& ioc;
  const Config& config;
  std::shared_ptr<security::TlsContexts> tls;
  Pipeline& pipeline;
  asio::thread_pool& workers;
  Committer* committer;
  tcp::acceptor acceptor;
  Metrics* metrics;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopped{false};
  ConnectionSet<Session> sessions;  // open connections, for drain()
  std::shared_ptr<ConnectionLimits> limits;

  // One log line a second at most while a cap bites (a flood must not become a flood of lines).
  struct RefusalLog {
    std::mutex mu;
    std::chrono::steady_clock::time_point last{};
    std::uint64_t since_last = 0;
    void note(ConnectionLimits::Refusal cap, const std::string& peer, const ConnectionLimits& limits) {
      std::lock_guard lock(mu);
      ++since_last;
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::seconds(1)) return;
      jlog::warn("connection_refused", {{"cap", ConnectionLimits::name(cap)},
                                        {"peer", peer},
                                        {"refused", since_last},
                                        {"open", limits.open()},
                                        {"pending_handshakes", limits.pending()}});
      since_last = 0;
      last = now;
    }
  } refusals;

  Shared(asio::io_context& i, const Config& c, std::shared_ptr<security::TlsContexts> t, Pipeline& p, asio::thread_pool& w,
         Committer* k, Metrics* m)
      : ioc(i), config(c), tls(std::move(t)), pipeline(p), workers(w), committer(k), acceptor(asio::make_strand(i)), metrics(m),
        limits(std::make_shared<ConnectionLimits>(
            ConnectionCaps{c.max_connections, c.max_connections_per_address, c.max_pending_handshakes})) {}
};

namespace {

// A bounded set of reasons for the metrics (the log line keeps OpenSSL's own words).
std::string_view tls_failure_reason(const beast::error_code& ec, long verify_result) {
  switch (verify_result) {
    case X509_V_OK: break;
    case X509_V_ERR_CERT_REVOKED: return "certificate_revoked";
    case X509_V_ERR_CERT_HAS_EXPIRED: return "certificate_expired";
    case X509_V_ERR_CERT_NOT_YET_VALID: return "certificate_not_yet_valid";
    case X509_V_ERR_CRL_HAS_EXPIRED: return "crl_expired";
    case X509_V_ERR_UNABLE_TO_GET_CRL: return "crl_missing";
    case X509_V_ERR_OCSP_CERT_UNKNOWN: return "ocsp_unknown";
    case X509_V_ERR_OCSP_VERIFY_NEEDED:
    case X509_V_ERR_OCSP_VERIFY_FAILED:
      return "ocsp_no_answer";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "untrusted";
    case X509_V_ERR_INVALID_PURPOSE: return "wrong_usage";
    default: return "bad_certificate";
  }
  if (ec == beast::error::timeout) return "timeout";
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset)
    return "closed";
  if (ec.category() == asio::error::get_ssl_category()) {
    if (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
      return "no_client_certificate";
    return "protocol";
  }
  return "other";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  // first_head_by: when the TLS handshake and the first request's head must be done
  // (http.header_timeout_ms after accept, the wait for the first byte included).
  Session(tcp::socket socket, std::shared_ptr<Listener::Shared> shared, ConnectionLimits::Ticket ticket,
          std::chrono::steady_clock::time_point first_head_by)
      : shared_(std::move(shared)),
        ticket_(std::move(ticket)),
        first_head_by_(first_head_by),
        ctx_(shared_->tls->server()),
        stream_(std::move(socket), *ctx_),
        peer_(make_error(rules::DK0002, "geen geverifieerd clientcertificaat")),
        started_(std::chrono::steady_clock::now()) {}

  ~Session() {
    if (shared_->metrics) shared_->metrics->connections_open.fetch_sub(1, std::memory_order_relaxed);
    shared_->sessions.remove(id_);
  }

  void run() {
    if (shared_->metrics) shared_->metrics->connections_open.fetch_add(1, std::memory_order_relaxed);
    id_ = shared_->sessions.add(weak_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); });
  }

  // Graceful shutdown (on the session's strand): a connection that waits for a request and has
  // received nothing of it is closed now; any other finishes its request, answered with
  // Connection: close (respond() sees `stopped`).
  void drain() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ != Phase::waiting || self->buffer_.size() > 0 || (self->parser_ && self->parser_->got_some())) return;
      beast::error_code ec;
      if (beast::get_lowest_layer(self->stream_).socket().available(ec) > 0 && !ec) return;  // a request is arriving
      self->phase_ = Phase::closing;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
      beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  const Config& cfg() const { return shared_->config; }

  void handshake() {
    phase_ = Phase::handshake;
    beast::get_lowest_layer(stream_).expires_at(first_head_by_);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      long vr = SSL_get_verify_result(stream_.native_handle());
      auto kind = tls_failure_reason(ec, vr);
      if (shared_->metrics) shared_->metrics->tls_handshake_failure(kind);
      jlog::Fields f{{"reason", ec.message()},
                     {"verify", vr == X509_V_OK ? "" : security::verify_failure_reason(vr)},
                     {"kind", kind}};
      // A missing or stale CRL refuses every certificate of that CA: name it.
      if (auto crl = security::crl_failure_of(stream_.native_handle()); !crl.ca_subject.empty()) {
        f["ca"] = crl.ca_subject;
        f["crl"] = crl.reason;
      }
      if (auto why = security::ocsp_refusal_of(stream_.native_handle()); !why.empty()) f["revocation"] = why;
      jlog::info("tls_refused", f);
      return;  // the socket closes when the session dies
    }
    ticket_.handshake_done();
    if (X509* cert = SSL_get1_peer_certificate(stream_.native_handle())) {
      peer_ = security::identity_of(cert);
      X509_free(cert);
    }
    peer_chain_ = peer_chain_of(stream_.native_handle());
    security::release_ticket_appdata(stream_.native_handle());  // the chain is in peer_chain_ now
    read_header();
  }

  void read_header() {
    // Between requests a connection keeps no read buffer (an idle one costs the SSL object and
    // its TLS stream's small read buffer: docs/DESIGN.md, "A TLS stream without idle buffers").
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    // Shutting down: a connection that was answered is not kept for another request.
    if (shared_->stopped && requests_ > 0) return shutdown();
    phase_ = Phase::waiting;
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(cfg().max_body_bytes);
    if (requests_ == 0) beast::get_lowest_layer(stream_).expires_at(first_head_by_);
    else beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(cfg().idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    // Beast compares Content-Length with the body limit while reading the header: a too large
    // body is refused before one byte of it is read ("Grote Berichten" is out of scope).
    if (ec) return refuse_or_close(ec);
    phase_ = Phase::reading;
    auto& req = parser_->get();
    if (auto r = strict::refusal_of(req)) return refuse(*r);
    if (req.method() != http::verb::post) return refuse({http::status::method_not_allowed, "method", "alleen POST"});
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(cfg().body_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (ec) return refuse_or_close(ec);
    phase_ = Phase::processing;
    ++requests_;
    beast::get_lowest_layer(stream_).expires_never();
    auto req = parser_->release();
    // WT008: a connection (and its TLS session) lives at most max_connection_lifetime_ms; the
    // answer in progress is the last one on it.
    const bool young = std::chrono::steady_clock::now() - started_ <
                       std::chrono::milliseconds(cfg().max_connection_lifetime_ms);
    keep_alive_ = req.keep_alive() && young && requests_ < cfg().max_requests_per_connection && !shared_->stopped;

    InboundRequest in;
    std::string_view target(req.target().data(), req.target().size());
    in.path = std::string(target.substr(0, target.find('?')));
    in.content_type = std::string(req[http::field::content_type]);
    if (auto it = req.find("SOAPAction"); it != req.end()) in.soap_action = std::string(it->value());
    in.body = std::move(req.body());
    in.peer_chain = peer_chain_;
    in.received = std::chrono::steady_clock::now();

    if (shared_->in_flight.fetch_add(1) >= cfg().max_queue) {
      shared_->in_flight.fetch_sub(1);
      if (shared_->metrics)
        shared_->metrics->request(shared_->metrics->service_of_path(in.path), "", rules::fault_outcome(rules::DK0051),
                                  std::chrono::microseconds(0));
      return respond(Pipeline::fault_response(rules::DK0051, "gateway overbelast; probeer later opnieuw"));
    }
    if (shared_->metrics) shared_->metrics->requests_in_flight.fetch_add(1, std::memory_order_relaxed);
    asio::post(shared_->workers, [self = shared_from_this(), in = std::move(in)]() mutable {
      // The chain answers exactly once: here, or after the group commit from the committer.
      self->shared_->pipeline.handle(in, self->peer_, self->shared_->committer,
                                     [self](OutboundResponse out) { self->answer(std::move(out)); });
    });
  }

  // From a worker or the committer: back to this connection's strand with the answer.
  void answer(OutboundResponse out) {
    if (shared_->metrics) shared_->metrics->requests_in_flight.fetch_sub(1, std::memory_order_relaxed);
    shared_->in_flight.fetch_sub(1);
    asio::post(stream_.get_executor(), [self = shared_from_this(), out = std::move(out)]() mutable {
      self->respond(std::move(out));
    });
  }

  void respond(OutboundResponse out) {
    phase_ = Phase::writing;
    keep_alive_ = keep_alive_ && !shared_->stopped;  // shutting down: this answer is the connection's last
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(out.status), 11);
    res->set(http::field::content_type, out.content_type);
    res->keep_alive(keep_alive_);
    res->body() = std::move(out.body);
    res->prepare_payload();
    write(res);
  }

  // A read error: answered and closed (strict HTTP), or the client went away.
  void refuse_or_close(beast::error_code ec) {
    if (auto r = strict::refusal_of(ec, parser_->get(), cfg().max_body_bytes)) return refuse(*r);
    close_quietly(ec);
  }

  // The last answer on this connection: nothing read behind the refused request is parsed.
  void refuse(const strict::Refusal& r) {
    phase_ = Phase::closing;
    keep_alive_ = false;
    strict::refuse(stream_, shared_from_this(), r, "service", shared_->metrics,
                   std::chrono::milliseconds(cfg().body_timeout_ms));
  }

  void write(std::shared_ptr<http::response<http::string_body>> res) {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(cfg().body_timeout_ms));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return self->close_quietly(ec);
      if (self->keep_alive_) return self->read_header();
      self->shutdown();
    });
  }

  void shutdown() {
    phase_ = Phase::closing;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  void close_quietly(beast::error_code ec) {
    phase_ = Phase::closing;
    if (ec == beast::error::timeout) jlog::debug("connection_timeout");
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  std::shared_ptr<Listener::Shared> shared_;
  ConnectionLimits::Ticket ticket_;  // its place under the caps, while it lives
  std::chrono::steady_clock::time_point first_head_by_;
  security::SslContextPtr ctx_;  // the TLS material this connection started with (reloads do not touch it)
  TlsStream stream_;             // no TLS buffers of its own while idle (edge/tls_stream.h)
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Result<security::PeerIdentity> peer_;
  X509ChainPtr peer_chain_;
  std::chrono::steady_clock::time_point started_;
  int requests_ = 0;
  bool keep_alive_ = true;
  enum class Phase { handshake, waiting, reading, processing, writing, closing } phase_ = Phase::handshake;
  std::uint64_t id_ = 0;
};

// A connection over a cap: counted, logged (at most once a second) and reset before any TLS;
// the reset leaves no TIME_WAIT behind on our side. cap none: the peer had gone already.
void refuse_connection(Listener::Shared& shared, tcp::socket& socket, ConnectionLimits::Refusal cap) {
  beast::error_code ec;
  if (cap != ConnectionLimits::Refusal::none) {
    const auto peer = socket.remote_endpoint(ec);
    if (shared.metrics) shared.metrics->connection_refused(ConnectionLimits::name(cap));
    shared.refusals.note(cap, ec ? std::string() : peer.address().to_string(), *shared.limits);
  }
  socket.set_option(asio::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

// An accepted connection before its first byte: the socket, a timer and its place under the caps
// (well under a KiB), no TLS state yet; a TLS stream with its buffers costs tens of KiB. A client
// sends its ClientHello at once, so the wait costs it nothing; a connection that sends nothing is
// closed at http.header_timeout_ms without ever holding a TLS stream. The same deadline holds for
// the handshake and the first request's head after it: one header_timeout_ms from accept.
class FirstByte : public std::enable_shared_from_this<FirstByte> {
 public:
  FirstByte(tcp::socket socket, std::shared_ptr<Listener::Shared> shared, ConnectionLimits::Ticket ticket)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(std::move(shared)), ticket_(std::move(ticket)) {}

  void start() {
    first_head_by_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(shared_->config.header_timeout_ms);
    timer_.expires_at(first_head_by_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the first byte came
      beast::error_code ignored;
      self->socket_.close(ignored);
    });
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      self->timer_.cancel();
      if (ec || self->shared_->stopped || !self->socket_.is_open()) return;
      // Readable may mean closed: a peer that leaves without a byte never gets a TLS stream.
      char first;
      beast::error_code peek;
      if (self->socket_.receive(asio::buffer(&first, 1), tcp::socket::message_peek, peek) == 0 || peek) return;
      ConnectionLimits::Refusal cap;
      if (!self->ticket_.begin_handshake(cap)) return refuse_connection(*self->shared_, self->socket_, cap);
      std::make_shared<Session>(std::move(self->socket_), self->shared_, std::move(self->ticket_), self->first_head_by_)
          ->run();
    });
  }

 private:
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<Listener::Shared> shared_;
  ConnectionLimits::Ticket ticket_;
  std::chrono::steady_clock::time_point first_head_by_;
};

void do_accept(std::shared_ptr<Listener::Shared> shared) {
  shared->acceptor.async_accept(asio::make_strand(shared->ioc), [shared](beast::error_code ec, tcp::socket socket) {
    if (shared->stopped) return;
    if (!ec) {
      const auto peer = socket.remote_endpoint(ec);
      ConnectionLimits::Refusal cap = ConnectionLimits::Refusal::none;
      auto ticket = ec ? ConnectionLimits::Ticket() : ConnectionLimits::admit(shared->limits, peer.address(), cap);
      if (!ticket.held()) {
        refuse_connection(*shared, socket, cap);  // over a cap, or gone already
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<FirstByte>(std::move(socket), shared, std::move(ticket))->start();
      }
    } else {
      jlog::warn("accept_failed", {{"error", ec.message()}});
    }
    do_accept(shared);
  });
}

}  // namespace

Listener::Listener(asio::io_context& ioc, const Config& config, std::shared_ptr<security::TlsContexts> tls, Pipeline& pipeline,
                   asio::thread_pool& workers, Committer* committer, Metrics* metrics)
    : shared_(std::make_shared<Shared>(ioc, config, std::move(tls), pipeline, workers, committer, metrics)) {}

Listener::~Listener() { stop(); }

void Listener::start() {
  listen_on(shared_->acceptor, "listen", shared_->config.listen_address, shared_->config.listen_port);
  do_accept(shared_);
}

void Listener::stop() { stop_accepting(shared_); }

void Listener::drain() {
  stop();
  shared_->sessions.drain_all();
}

std::size_t Listener::open_connections() const { return shared_->sessions.size(); }

unsigned short Listener::port() const { return shared_->acceptor.local_endpoint().port(); }

}  // namespace edugate::gateway
