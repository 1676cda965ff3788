#include "testkit/json_backend.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

namespace edugate::testkit {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct JsonBackend::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  mutable std::mutex mu;
  Handler handler;
  std::vector<Request> seen;
  std::vector<std::thread> connections;
  std::vector<int> open_fds;
  int accepted = 0;
};

JsonBackend::JsonBackend(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] {
    while (!impl_->stopping) {
      beast::error_code ec;
      tcp::socket s = impl_->acceptor.accept(ec);
      if (ec || impl_->stopping) break;
      int fd = s.release();
      std::lock_guard lock(impl_->mu);
      impl_->open_fds.push_back(fd);
      ++impl_->accepted;
      impl_->connections.emplace_back([this, fd] { serve(fd); });
    }
  });
}

JsonBackend::~JsonBackend() { stop(); }

void JsonBackend::stop() {
  if (impl_->stopping.exchange(true)) return;
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(impl_->mu);
    for (int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);
    threads.swap(impl_->connections);
  }
  for (auto& t : threads) t.join();
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

std::string JsonBackend::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void JsonBackend::set_handler(Handler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handler = std::move(handler);
}

int JsonBackend::hits(const std::string& suffix) const {
  std::lock_guard lock(impl_->mu);
  int n = 0;
  for (const auto& r : impl_->seen) n += suffix.empty() || r.target.ends_with(suffix);
  return n;
}

int JsonBackend::connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->accepted;
}

std::vector<JsonBackend::Request> JsonBackend::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

JsonBackend::Reply JsonBackend::handle(const Request& r) {
  Handler h;
  {
    std::lock_guard lock(impl_->mu);
    impl_->seen.push_back(r);
    h = impl_->handler;
  }
  return h(r);
}

void JsonBackend::serve(int fd) {
  asio::io_context ioc;
  tcp::socket socket(ioc, tcp::v4(), fd);
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec || impl_->stopping) break;
    Request r{std::string(req.target()), req.body(), {}};
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    Reply reply = handle(r);
    for (int waited = 0; waited < reply.delay_ms && !impl_->stopping; waited += 10)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (impl_->stopping) break;
    http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
    res.set(http::field::content_type, reply.content_type);
    res.keep_alive(req.keep_alive());
    res.body() = reply.body;
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) break;
  }
  {
    // Forget the descriptor before it is closed: stop() must never shut down a reused number.
    std::lock_guard lock(impl_->mu);
    std::erase(impl_->open_fds, fd);
  }
  beast::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace edugate::testkit
