#include "gateway/edge/connection_limits.h"

namespace edugate::gateway {

std::string_view ConnectionLimits::name(Refusal r) {
  switch (r) {
    case Refusal::none: return "none";
    case Refusal::total: return "total";
    case Refusal::per_address: return "per_address";
    case Refusal::pending_handshakes: return "pending_handshakes";
  }
  return "none";
}

std::string ConnectionLimits::key_of(const boost::asio::ip::address& a) {
  // An IPv4 peer on a dual-stack socket is one address whichever way it arrives.
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

void ConnectionLimits::set_caps(ConnectionCaps caps) {
  std::lock_guard lock(mu_);
  caps_ = caps;
}

ConnectionLimits::Ticket ConnectionLimits::admit(const std::shared_ptr<ConnectionLimits>& self,
                                                 const boost::asio::ip::address& peer, Refusal& refused) {
  Ticket t;
  std::string key = key_of(peer);
  std::lock_guard lock(self->mu_);
  const ConnectionCaps& c = self->caps_;
  auto it = self->per_address_.find(key);
  const int from_peer = it == self->per_address_.end() ? 0 : it->second;
  if (c.total > 0 && self->open_ >= c.total) refused = Refusal::total;
  else if (c.per_address > 0 && from_peer >= c.per_address) refused = Refusal::per_address;
  else refused = Refusal::none;
  if (refused != Refusal::none) return t;
  ++self->open_;
  if (it == self->per_address_.end()) self->per_address_.emplace(key, 1);
  else ++it->second;
  t.limits_ = self;
  t.key_ = std::move(key);
  return t;
}

bool ConnectionLimits::Ticket::begin_handshake(Refusal& refused) {
  refused = Refusal::none;
  if (!limits_ || pending_) return limits_ != nullptr;
  std::lock_guard lock(limits_->mu_);
  const int cap = limits_->caps_.pending_handshakes;
  if (cap > 0 && limits_->pending_ >= cap) {
    refused = Refusal::pending_handshakes;
    return false;
  }
  ++limits_->pending_;
  pending_ = true;
  return true;
}

int ConnectionLimits::open() const {
  std::lock_guard lock(mu_);
  return open_;
}
int ConnectionLimits::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}
int ConnectionLimits::from(const boost::asio::ip::address& peer) const {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(key_of(peer));
  return it == per_address_.end() ? 0 : it->second;
}
std::size_t ConnectionLimits::addresses() const {
  std::lock_guard lock(mu_);
  return per_address_.size();
}

ConnectionLimits::Ticket::Ticket(Ticket&& o) noexcept
    : limits_(std::move(o.limits_)), key_(std::move(o.key_)), pending_(o.pending_) {
  o.limits_.reset();
  o.pending_ = false;
}

ConnectionLimits::Ticket& ConnectionLimits::Ticket::operator=(Ticket&& o) noexcept {
  if (this != &o) {
    release();
    limits_ = std::move(o.limits_);
    key_ = std::move(o.key_);
    pending_ = o.pending_;
    o.limits_.reset();
    o.pending_ = false;
  }
  return *this;
}

ConnectionLimits::Ticket::~Ticket() { release(); }

void ConnectionLimits::Ticket::handshake_done() {
  if (!limits_ || !pending_) return;
  std::lock_guard lock(limits_->mu_);
  --limits_->pending_;
  pending_ = false;
}

void ConnectionLimits::Ticket::release() {
  if (!limits_) return;
  {
    std::lock_guard lock(limits_->mu_);
    --limits_->open_;
    if (pending_) --limits_->pending_;
    if (auto it = limits_->per_address_.find(key_); it != limits_->per_address_.end() && --it->second <= 0)
      limits_->per_address_.erase(it);  // no entry stays for an address that has gone
  }
  limits_.reset();
  pending_ = false;
}

}  // namespace edugate::gateway
