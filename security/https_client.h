#pragma once
// The one outbound HTTP(S) connection of the process: the Edukoppeling client (send, outbox,
// inbox, relay), the probe and the http_json backends all open theirs here. open() resolves,
// connects and completes the TLS handshake under ONE deadline, so a slow resolver, a silent
// server and a stalled handshake all end at it; every exchange has a deadline and a body limit.
// Each connection runs on an io_context of its own, one operation at a time (the caller's
// thread blocks), because Beast's deadlines hold for asynchronous operations only.
// Not thread-safe: one connection belongs to one thread at a time.
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "security/tls_policy.h"
#include "security/tls_session.h"

namespace edugate::security {

// Runs one asynchronous operation to completion on `ioc` and gives its error.
template <class Start>
boost::system::error_code await(boost::asio::io_context& ioc, Start start) {
  boost::system::error_code result = boost::asio::error::would_block;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

using Deadline = std::chrono::steady_clock::time_point;
inline Deadline deadline_in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

enum class Phase { setup, resolve, connect, handshake, write, read };
const char* to_string(Phase p);

struct NetError {
  Phase phase = Phase::connect;
  boost::system::error_code ec;  // boost::beast::error::timeout when the deadline passed
  std::string detail;            // setup: what could not be set
  bool timed_out() const { return ec == boost::beast::error::timeout; }
  std::string message() const { return detail.empty() ? ec.message() : detail; }
};

// Name resolution, replaceable for tests; the default is the system's (getaddrinfo).
using Resolver = std::function<boost::system::error_code(const std::string& host, const std::string& port,
                                                         boost::asio::ip::tcp::resolver::results_type& out)>;

struct Peer {
  Peer(std::string h, std::string p, SslContextPtr context = nullptr)
      : host(std::move(h)), port(std::move(p)), tls(std::move(context)) {}
  std::string host, port;
  SslContextPtr tls;  // null: plain HTTP (http_json's http:// backends)
  // false: the host goes out as SNI, also an IP address (the Edukoppeling client and the probe
  // check the server's identity by its OIN). true: the certificate must name the host, a DNS
  // name (also sent as SNI) or an IP address (matched against its IP SANs; SNI carries none).
  bool verify_name = false;
  // Resumption: the ticket kept under session_key is offered and the new one kept.
  std::shared_ptr<ClientSessions> sessions;
  std::string session_key;
  Resolver resolver;  // empty: the system's
};

// How long each phase of the last open() took.
struct Timings {
  std::chrono::microseconds resolve{0}, connect{0}, handshake{0};
};

class HttpsClient {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  explicit HttpsClient(Peer peer);
  ~HttpsClient();  // drops the connection without waiting for the peer
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Drops any connection, then resolve + connect + handshake, all by `deadline`.
  std::optional<NetError> open(Deadline deadline);
  // Keeps the connection when usable(), else open(); reused() says which it was.
  std::optional<NetError> reuse_or_open(Deadline deadline);
  // Open, and idle with nothing waiting: a keep-alive connection the server has closed (or
  // that has unexpected bytes waiting) is not reused.
  bool usable();
  bool reused() const { return reused_; }

  // write() leaves the connection as it is on an error: the server may still have answered
  // (a 413 before the rest of the body), so read() may follow. read() and exchange() drop the
  // connection on an error and after an answer without keep-alive.
  std::optional<NetError> write(const Request& request, Deadline deadline);
  std::optional<NetError> write(std::string_view raw, Deadline deadline);
  std::optional<NetError> read(Response& out, std::uint64_t body_limit, Deadline deadline);
  std::optional<NetError> exchange(const Request& request, Response& out, std::uint64_t body_limit, Deadline deadline);

  // TLS close_notify, best effort and brief (the peer may close first or never answer), so the
  // session's ticket is kept; then the socket is closed.
  void close(std::chrono::milliseconds grace = std::chrono::seconds(2));
  void drop();  // closes the socket at once

  bool is_open() const;
  SSL* ssl() const { return tls_ ? tls_->native_handle() : nullptr; }  // null for plain HTTP
  bool resumed() const { return ssl() && SSL_session_reused(ssl()) == 1; }
  const Timings& timings() const { return timings_; }
  const Peer& peer() const { return peer_; }

 private:
  boost::beast::tcp_stream& lowest();
  std::optional<NetError> resolve(Deadline deadline, boost::asio::ip::tcp::resolver::results_type& out);

  Peer peer_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::beast::tcp_stream> plain_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
  Timings timings_;
  bool reused_ = false;
};

}  // namespace edugate::security
