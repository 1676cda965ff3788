#pragma once
// What the three listeners (service, internal, admin) share: binding the acceptor, stopping it
// once, and the set of open connections for a graceful shutdown.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace edugate::gateway {

// Opens, binds and listens; throws naming the address and the configuration block (`what`).
inline void listen_on(boost::asio::ip::tcp::acceptor& a, const std::string& what, const std::string& address,
                      unsigned short port) {
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error(what + ".address is not an IP address: " + address);
  const boost::asio::ip::tcp::endpoint ep(addr, port);
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + " (" + what + "): " + ec.message());
}

// The open connections of a listener: sessions register once running and leave when they die;
// drain_all() asks every live one to finish (each decides on its own strand what that means).
template <class Session>
class ConnectionSet {
 public:
  // Registers a running session; its destructor calls remove() with the id.
  std::uint64_t add(std::weak_ptr<Session> session) {
    std::lock_guard lock(mu_);
    const auto id = next_++;
    sessions_.emplace(id, std::move(session));
    return id;
  }

  void remove(std::uint64_t id) {
    std::lock_guard lock(mu_);
    sessions_.erase(id);
  }

  // Session::drain() on every live session, called outside the lock (a session that dies in
  // between is skipped; one that drains removes itself later).
  void drain_all() {
    std::vector<std::shared_ptr<Session>> open;
    {
      std::lock_guard lock(mu_);
      for (auto& [_, w] : sessions_)
        if (auto s = w.lock()) open.push_back(std::move(s));
    }
    for (auto& s : open) s->drain();
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return sessions_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions_;
  std::uint64_t next_ = 0;
};

// Stops accepting, once: the acceptor is closed on its own executor. `shared` has `stopped`
// (std::atomic<bool>) and `acceptor`; the posted close keeps it alive.
template <class Shared>
void stop_accepting(const std::shared_ptr<Shared>& shared) {
  if (shared->stopped.exchange(true)) return;
  boost::asio::post(shared->acceptor.get_executor(), [shared] {
    boost::system::error_code ec;
    shared->acceptor.close(ec);
  });
}

}  // namespace edugate::gateway
