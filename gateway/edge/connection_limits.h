#pragma once
// Caps on the connections of a service listener: in total, per source address, and for those
// that have not finished their TLS handshake (each costs a handshake's CPU, and a peer that
// opens connections and never finishes them would otherwise hold the gateway's memory and file
// descriptors). A connection over a cap is closed right after accept, before any TLS, and
// costs nothing further. Caps are read once per accept; 0 means no cap.
#include <boost/asio/ip/address.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace edugate::gateway {

struct ConnectionCaps {
  int total = 0;               // concurrent connections of the listener
  int per_address = 0;         // concurrent connections from one source address
  int pending_handshakes = 0;  // accepted, TLS handshake not finished
};

class ConnectionLimits {
 public:
  enum class Refusal { none, total, per_address, pending_handshakes };
  static std::string_view name(Refusal r);

  // Held by a connection for as long as it lives: one place in the total and in its address's
  // count, and in the pending handshakes until handshake_done().
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& o) noexcept;
    Ticket& operator=(Ticket&& o) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket();
    void handshake_done();  // idempotent
    bool held() const { return limits_ != nullptr; }

   private:
    friend class ConnectionLimits;
    std::shared_ptr<ConnectionLimits> limits_;
    std::string key_;
    bool pending_ = false;
    void release();
  };

  explicit ConnectionLimits(ConnectionCaps caps) : caps_(caps) {}
  void set_caps(ConnectionCaps caps);

  // A ticket for a new connection from `peer`, or no ticket and why (`refused`).
  static Ticket admit(const std::shared_ptr<ConnectionLimits>& self, const boost::asio::ip::address& peer, Refusal& refused);

  int open() const;
  int pending() const;
  int from(const boost::asio::ip::address& peer) const;
  std::size_t addresses() const;  // distinct source addresses with an open connection

 private:
  static std::string key_of(const boost::asio::ip::address& a);
  mutable std::mutex mu_;
  ConnectionCaps caps_;
  int open_ = 0, pending_ = 0;
  std::unordered_map<std::string, int> per_address_;
};

}  // namespace edugate::gateway
