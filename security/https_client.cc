#include "security/https_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

namespace edugate::security {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

beast::error_code system_resolve(const std::string& host, const std::string& port, tcp::resolver::results_type& out) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  out = resolver.resolve(host, port, ec);
  return ec;
}

bool is_ip_address(const std::string& host) {
  beast::error_code not_ip;
  asio::ip::make_address(host, not_ip);
  return !not_ip;
}

std::chrono::microseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t);
}

}  // namespace

const char* to_string(Phase p) {
  switch (p) {
    case Phase::setup: return "setup";
    case Phase::resolve: return "resolve";
    case Phase::connect: return "connect";
    case Phase::handshake: return "handshake";
    case Phase::write: return "write";
    case Phase::read: return "read";
  }
  return "?";
}

HttpsClient::HttpsClient(Peer peer) : peer_(std::move(peer)) {}

HttpsClient::~HttpsClient() { drop(); }

beast::tcp_stream& HttpsClient::lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

bool HttpsClient::is_open() const {
  if (tls_) return beast::get_lowest_layer(*tls_).socket().is_open();
  return plain_ && plain_->socket().is_open();
}

bool HttpsClient::usable() {
  if (!is_open()) return false;
  char c;
  ssize_t n = ::recv(lowest().socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void HttpsClient::drop() {
  if (is_open()) {
    beast::error_code ec;
    lowest().socket().close(ec);
  }
  tls_.reset();
  plain_.reset();
  buffer_.clear();
}

void HttpsClient::close(std::chrono::milliseconds grace) {
  if (tls_ && is_open()) {
    lowest().expires_after(grace);
    tls_->async_shutdown([](beast::error_code) {});
    ioc_.restart();
    ioc_.run();
  } else if (is_open()) {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  drop();
}

// getaddrinfo cannot be cancelled, and asio's resolver joins its thread when it goes, so a
// resolver that does not answer would hold the caller past the deadline. A DNS name is looked up
// on a thread of its own that is left behind at the deadline; an IP address needs no look-up.
std::optional<NetError> HttpsClient::resolve(Deadline deadline, tcp::resolver::results_type& out) {
  Resolver resolver = peer_.resolver ? peer_.resolver : Resolver(system_resolve);
  if (!peer_.resolver && is_ip_address(peer_.host)) {
    if (auto ec = resolver(peer_.host, peer_.port, out)) return NetError{Phase::resolve, ec, {}};
    return std::nullopt;
  }
  struct Pending {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    beast::error_code ec;
    tcp::resolver::results_type results;
  };
  auto pending = std::make_shared<Pending>();
  try {
    std::thread([pending, resolver, host = peer_.host, port = peer_.port] {
      tcp::resolver::results_type r;
      auto ec = resolver(host, port, r);
      std::lock_guard lock(pending->mu);
      pending->ec = ec;
      pending->results = std::move(r);
      pending->done = true;
      pending->cv.notify_one();
    }).detach();
  } catch (const std::system_error& e) {
    return NetError{Phase::resolve, beast::error_code(e.code().value(), boost::system::system_category()), {}};
  }
  std::unique_lock lock(pending->mu);
  if (!pending->cv.wait_until(lock, deadline, [&] { return pending->done; }))
    return NetError{Phase::resolve, beast::error::timeout, {}};
  if (pending->ec) return NetError{Phase::resolve, pending->ec, {}};
  out = std::move(pending->results);
  return std::nullopt;
}

std::optional<NetError> HttpsClient::open(Deadline deadline) {
  drop();
  reused_ = false;
  timings_ = {};
  auto started = Clock::now();
  tcp::resolver::results_type endpoints;
  if (auto e = resolve(deadline, endpoints)) return e;
  timings_.resolve = since(started);

  if (peer_.tls) {
    tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, *peer_.tls);
    SSL* ssl = tls_->native_handle();
    bool named = true;
    if (!peer_.verify_name) named = SSL_set_tlsext_host_name(ssl, peer_.host.c_str()) == 1;
    else if (is_ip_address(peer_.host)) named = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), peer_.host.c_str()) == 1;
    else named = SSL_set_tlsext_host_name(ssl, peer_.host.c_str()) == 1 && SSL_set1_host(ssl, peer_.host.c_str()) == 1;
    if (!named) {
      drop();
      return NetError{Phase::setup, asio::error::invalid_argument, "cannot set the TLS server name"};
    }
    if (peer_.sessions) peer_.sessions->prepare(ssl, peer_.session_key);
  } else {
    plain_ = std::make_unique<beast::tcp_stream>(ioc_);
  }

  started = Clock::now();
  lowest().expires_at(deadline);
  if (auto ec = await(ioc_, [&](auto done) { lowest().async_connect(endpoints, std::move(done)); })) {
    drop();
    return NetError{Phase::connect, ec, {}};
  }
  timings_.connect = since(started);
  if (tls_) {
    started = Clock::now();
    if (auto ec = await(ioc_, [&](auto done) { tls_->async_handshake(asio::ssl::stream_base::client, std::move(done)); })) {
      drop();
      return NetError{Phase::handshake, ec, {}};
    }
    timings_.handshake = since(started);
  }
  lowest().expires_never();
  return std::nullopt;
}

std::optional<NetError> HttpsClient::reuse_or_open(Deadline deadline) {
  if (usable()) {
    reused_ = true;
    return std::nullopt;
  }
  return open(deadline);
}

std::optional<NetError> HttpsClient::write(const Request& request, Deadline deadline) {
  if (!is_open()) return NetError{Phase::write, asio::error::not_connected, {}};
  lowest().expires_at(deadline);
  beast::error_code ec = tls_ ? await(ioc_, [&](auto done) { http::async_write(*tls_, request, std::move(done)); })
                              : await(ioc_, [&](auto done) { http::async_write(*plain_, request, std::move(done)); });
  if (ec) return NetError{Phase::write, ec, {}};
  return std::nullopt;
}

std::optional<NetError> HttpsClient::write(std::string_view raw, Deadline deadline) {
  if (!is_open()) return NetError{Phase::write, asio::error::not_connected, {}};
  lowest().expires_at(deadline);
  auto bytes = asio::buffer(raw.data(), raw.size());
  beast::error_code ec = tls_ ? await(ioc_, [&](auto done) { asio::async_write(*tls_, bytes, std::move(done)); })
                              : await(ioc_, [&](auto done) { asio::async_write(*plain_, bytes, std::move(done)); });
  if (ec) return NetError{Phase::write, ec, {}};
  return std::nullopt;
}

std::optional<NetError> HttpsClient::read(Response& out, std::uint64_t body_limit, Deadline deadline) {
  if (!is_open()) return NetError{Phase::read, asio::error::not_connected, {}};
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  lowest().expires_at(deadline);
  // The head first, then the body: Boost 1.74's parser skips the Content-Length check against
  // body_limit when head and body arrive in one buffer (an eager read), and reads it all.
  beast::error_code ec = tls_ ? await(ioc_, [&](auto done) { http::async_read_header(*tls_, buffer_, parser, std::move(done)); })
                              : await(ioc_, [&](auto done) { http::async_read_header(*plain_, buffer_, parser, std::move(done)); });
  if (!ec && !parser.is_done())
    ec = tls_ ? await(ioc_, [&](auto done) { http::async_read(*tls_, buffer_, parser, std::move(done)); })
              : await(ioc_, [&](auto done) { http::async_read(*plain_, buffer_, parser, std::move(done)); });
  if (ec) {
    drop();
    return NetError{Phase::read, ec, {}};
  }
  out = parser.release();
  if (!out.keep_alive()) drop();
  else lowest().expires_never();
  return std::nullopt;
}

std::optional<NetError> HttpsClient::exchange(const Request& request, Response& out, std::uint64_t body_limit,
                                              Deadline deadline) {
  if (auto e = write(request, deadline)) {
    drop();
    return e;
  }
  return read(out, body_limit, deadline);
}

}  // namespace edugate::security
