#pragma once
// Caps on the connections of a service listener: in total and per source address (checked at
// accept), and on TLS handshakes in progress (checked when a connection's first byte arrives and
// its handshake begins: each costs a handshake's CPU and a TLS stream's memory, while a
// connection that has sent nothing costs about a KiB and is bounded by the other two caps and
// http.header_timeout_ms). A connection over a cap is reset and costs nothing further. The
// per-address cap below the handshake cap keeps one address from taking every handshake slot.
// 0 means no cap.
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
  // count, and in the handshakes in progress from begin_handshake() until handshake_done().
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& o) noexcept;
    Ticket& operator=(Ticket&& o) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket();
    // A place among the handshakes in progress, or false (and why) when they are at their cap.
    bool begin_handshake(Refusal& refused);
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

  // A ticket for a new connection from `peer` (total and per-address caps), or no ticket and
  // why (`refused`).
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
