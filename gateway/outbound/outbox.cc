#include "gateway/outbound/outbox.h"

#include "gateway/ops/log.h"
#include "core/clock.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include <unistd.h>

namespace edugate::gateway {
namespace {
// host:pid:random, unique per running sender.
std::string claim_owner() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::mt19937_64 rng{std::random_device{}()};
  char buf[64];
  std::snprintf(buf, sizeof buf, ":%d:%016llx", static_cast<int>(getpid()), static_cast<unsigned long long>(rng()));
  return host + std::string(buf);
}
}  // namespace

OutboxSender::OutboxSender(const Config& config, store::Store& store, std::vector<ServiceContract> contracts,
                           std::shared_ptr<security::TlsContexts> tls)
    : config_(config), store_(store), contracts_(std::move(contracts)), client_(config, std::move(tls)),
      owner_(claim_owner()) {}

OutboxSender::~OutboxSender() { stop(); }

std::int64_t OutboxSender::backoff_ms(const Config& c, int attempts, double jitter01) {
  double base = static_cast<double>(c.outbox_backoff_initial_ms) * std::pow(2.0, std::max(0, attempts - 1));
  base = std::min(base, static_cast<double>(c.outbox_backoff_max_ms));
  // "Equal jitter": half fixed, half random, so retries of many messages spread out.
  return static_cast<std::int64_t>(base / 2 + base / 2 * jitter01);
}

const ServiceContract* OutboxSender::contract(const std::string& service) const {
  for (const auto& c : contracts_)
    if (c.name == service) return &c;
  return nullptr;
}

bool OutboxSender::send(const store::OutboxMessage& m) {
  const auto started = std::chrono::steady_clock::now();
  store::AuditRecord audit;
  audit.time_ms = now_ms();
  audit.direction = "out";
  audit.sender_oin = config_.oin.str();
  audit.receiver_oin = m.destination_oin;
  audit.service = m.service;
  audit.message_id = m.message_id;
  std::string error;
  bool ok = false;
  bool resumed = false;
  const ServiceContract* c = contract(m.service);
  const Operation* op = c ? c->by_name(m.operation) : nullptr;
  auto mid = MessageId::parse(m.message_id);
  auto dest = Oin::parse(m.destination_oin);
  if (!op || !mid || !dest) {
    error = "onbekende dienst/operatie of ongeldig bericht in de outbox";
  } else {
    audit.action = op->input_action;
    SendOptions o;
    o.message_id = *mid;
    o.url = m.endpoint;
    o.remote_oin = *dest;
    o.act_for = config_.oin;
    o.timeout_ms = config_.outbox_send_timeout_ms;
    // Pushes are signed when we sign everything or the school requires it (registry).
    auto party = store_.find_party(*dest);
    o.sign = config_.wss_sign_requests || (party && party->require_signature);
    auto ex = client_.send(*c, *op, m.body, o);
    if (!ex) error = ex.error().code + ": " + ex.error().message;
    else if (ex->is_fault) error = (ex->fault_code.empty() ? ex->faultcode : ex->fault_code) + ": " + ex->faultstring;
    else if (ex->http_status != 200) error = "HTTP " + std::to_string(ex->http_status);
    else ok = true;
    resumed = ex && ex->tls_resumed;
  }
  audit.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  if (ok) {
    store_.outbox_sent(m.id, now_ms());
    audit.result = "ok";
    jlog::info("push_sent", {{"message_id", m.message_id}, {"id", m.id}, {"destination", m.destination_oin},
                             {"attempt", m.attempts + 1}, {"tls_resumed", resumed}});
  } else {
    int attempts = m.attempts + 1;
    bool dead = attempts >= config_.outbox_max_attempts;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    store_.outbox_failed(m.id, attempts, now_ms() + backoff_ms(config_, attempts, jitter), error, dead);
    audit.result = dead ? "dead" : "retry";
    jlog::warn(dead ? "push_dead" : "push_failed", {{"message_id", m.message_id}, {"id", m.id}, {"destination", m.destination_oin},
                                                    {"attempt", attempts}, {"error", error}});
  }
  try {
    store_.append_audit(audit);
  } catch (const std::exception& e) {
    jlog::error("audit_failed", {{"message_id", m.message_id}, {"error", e.what()}});
  }
  return ok;
}

void OutboxSender::start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  loop_ = std::thread([this] { loop(); });
  for (int i = 0; i < config_.outbox_senders; ++i)
    senders_.emplace_back([this] {
      for (;;) {
        store::OutboxMessage m;
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [&] { return !running_ || !queue_.empty(); });
          if (!running_) return;
          m = std::move(queue_.back());
          queue_.pop_back();
        }
        try {
          send(m);
        } catch (const std::exception& e) {
          jlog::warn("push_error", {{"message_id", m.message_id}, {"id", m.id}, {"error", e.what()}});
        }
        std::lock_guard lock(mu_);
        in_flight_.erase(m.destination_oin);
        wake_ = true;
        cv_.notify_all();
      }
    });
}

void OutboxSender::loop() {
  std::unique_lock lock(mu_);
  while (running_) {
    wake_ = false;
    // Claim no more than the senders can start now: a claimed message waits under its lease.
    const int room = config_.outbox_senders - static_cast<int>(in_flight_.size());
    lock.unlock();
    std::vector<store::OutboxMessage> due;
    if (room > 0) {
      try {
        due = store_.outbox_claim(now_ms(), room, config_.outbox_lease_ms, owner_);
      } catch (const std::exception& e) {
        jlog::warn("outbox_unavailable", {{"error", e.what()}});
      }
    }
    lock.lock();
    for (auto& m : due) {
      // One message per school at a time, in order (a claim of ours whose lease ran out while it
      // was still being sent: that send decides; the new claim just runs out).
      if (in_flight_.count(m.destination_oin)) continue;
      in_flight_.insert(m.destination_oin);
      queue_.push_back(std::move(m));
    }
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::milliseconds(config_.outbox_poll_ms), [&] { return !running_ || wake_; });
  }
}

void OutboxSender::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    running_ = false;
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  for (auto& t : senders_) t.join();
  senders_.clear();
  queue_.clear();
  // Claimed but not sent: free at once for another instance (or our next start).
  try {
    store_.outbox_unclaim(owner_);
  } catch (const std::exception& e) {
    jlog::warn("outbox_unclaim_failed", {{"error", e.what()}});
  }
}

}  // namespace edugate::gateway
