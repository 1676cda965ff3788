#pragma once
// The outbox sender (provider): takes the due head of each destination's queue from the store
// and sends it over mutual TLS to the school's endpoint, with the message's fixed MessageID.
// Success marks it sent; a failure schedules the next attempt with exponential backoff and
// jitter; after outbox.max_attempts it is dead (an operator can `edugate outbox retry` it).
// A destination has at most one message in flight, so a slow or down school never holds up
// the others beyond one sender thread. Messages are claimed in the store with a lease
// (outbox.lease_ms), so several instances on one store never send one message at the same time,
// and a claim of an instance that died is taken over when its lease runs out.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/outbound/client.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "store/store.h"

namespace edugate::gateway {

class OutboxSender {
 public:
  OutboxSender(const Config& config, store::Store& store, std::vector<ServiceContract> contracts,
               std::shared_ptr<security::TlsContexts> tls);
  ~OutboxSender();
  void start();
  void stop();
  // One attempt for one message (also used by `edugate outbox retry --now`). Returns true if sent.
  bool send(const store::OutboxMessage& m);
  // The delay before attempt `attempts + 1`, with jitter (exposed for tests).
  static std::int64_t backoff_ms(const Config& c, int attempts, double jitter01);

 private:
  void loop();
  const ServiceContract* contract(const std::string& service) const;

  const Config& config_;
  store::Store& store_;
  std::vector<ServiceContract> contracts_;
  Client client_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> in_flight_;
  bool running_ = false;
  bool wake_ = false;          // a sender finished: look for the destination's next message now
  const std::string owner_;    // this instance's name on its claims
  std::thread loop_;
  std::vector<std::thread> senders_;
  std::vector<store::OutboxMessage> queue_;  // handed from the loop to the senders
};

}  // namespace edugate::gateway
