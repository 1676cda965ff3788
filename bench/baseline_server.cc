// `edugate bench --baseline-server`: what mutual TLS and HTTP/1.1 alone cost on this machine.
// The same TLS contexts as the gateway (security/tls_policy: TLS 1.2/1.3, the NCSC suites, a
// client certificate required, session tickets under a rotating TicketKeyRing) and the same
// shape of event loop (one io_context run by --threads threads, a strand per connection), but
// no parsing, no pipeline, no worker pool: every POST gets the same 1 KiB text/xml answer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "bench/bench.h"
#include "security/tls_policy.h"
#include "security/tls_session.h"

namespace edugate::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A SOAP envelope padded to exactly 1024 bytes.
const std::string& fixed_answer() {
  static const std::string answer = [] {
    const std::string head =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope "
        "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
        "<soap:Body><Baseline xmlns=\"urn:edugate:bench:1\">";
    const std::string tail = "</Baseline></soap:Body></soap:Envelope>";
    return head + std::string(1024 - head.size() - tail.size(), 'x') + tail;
  }();
  return answer;
}

struct Server {
  asio::io_context ioc;
  security::SslContextPtr tls;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server& server) : stream_(std::move(socket), *server.tls) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(std::chrono::seconds(10));
      self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
        if (!ec) self->read();
      });
    });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(20u << 20);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(60));
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->respond();
    });
  }

  void respond() {
    const auto& req = parser_->get();
    res_ = {};
    res_.version(11);
    res_.result(req.method() == http::verb::post ? http::status::ok : http::status::method_not_allowed);
    res_.set(http::field::content_type, "text/xml; charset=utf-8");
    res_.keep_alive(req.keep_alive());
    if (req.method() == http::verb::post) res_.body() = fixed_answer();
    res_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (self->res_.keep_alive()) return self->read();
      beast::get_lowest_layer(self->stream_).expires_after(std::chrono::seconds(2));
      self->stream_.async_shutdown([self](beast::error_code) { self->close(); });
    });
  }

  void close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

void accept(Server& server) {
  server.acceptor.async_accept(asio::make_strand(server.ioc), [&server](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), server)->run();
    }
    accept(server);
  });
}

}  // namespace

int run_baseline_server(const BaselineOptions& o) {
  if (o.tls.cert.empty() || o.tls.key.empty() || o.tls.ca.empty())
    throw std::runtime_error("--cert, --key and --ca (or --stem with --pki) are required");
  if (o.threads < 1) throw std::runtime_error("--threads must be positive");
  const security::TlsSettings settings = o.tls.settings();
  Server server;
  server.tls = security::make_server_context(
      settings, std::make_shared<security::TicketKeyRing>(std::chrono::seconds(settings.ticket_key_rotation_s)));

  beast::error_code ec;
  const auto address = asio::ip::make_address(o.address, ec);
  if (ec) throw std::runtime_error("--address is not an IP address: " + o.address);
  const tcp::endpoint ep(address, o.port);
  server.acceptor.open(ep.protocol(), ec);
  if (!ec) server.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) server.acceptor.bind(ep, ec);
  if (!ec) server.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " + ec.message());
  accept(server);

  asio::signal_set signals(server.ioc, SIGINT, SIGTERM);
  signals.async_wait([&server](beast::error_code, int) { server.ioc.stop(); });

  const unsigned short port = server.acceptor.local_endpoint().port();
  std::cout << R"({"event":"listening","port":)" << port << "}" << std::endl;
  if (!o.port_file.empty()) {
    std::ofstream(o.port_file + ".tmp") << port << "\n";
    std::filesystem::rename(o.port_file + ".tmp", o.port_file);
  }

  std::vector<std::thread> threads;
  for (int i = 1; i < o.threads; ++i) threads.emplace_back([&server] { server.ioc.run(); });
  server.ioc.run();
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace edugate::bench
