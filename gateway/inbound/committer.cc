#include "gateway/inbound/committer.h"

#include "gateway/ops/log.h"

namespace edugate::gateway {

Committer::Committer(store::Store& store, std::size_t max_batch)
    : store_(store), max_batch_(max_batch), thread_([this] { run(); }) {}

Committer::~Committer() { stop(); }

void Committer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Committer::submit(store::Completion completion, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(std::move(completion), std::move(done));
  }
  cv_.notify_one();
}

void Committer::run() {
  std::vector<store::Completion> batch;
  std::vector<Done> dones;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything handed over is committed
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front().first));
        dones.push_back(std::move(queue_.front().second));
        queue_.pop_front();
      }
    }
    bool durable = true;
    try {
      store_.complete_messages(batch);
    } catch (const std::exception& e) {
      durable = false;
      jlog::warn("backend_unavailable", {{"what", "commit of " + std::to_string(batch.size()) + " answers"}, {"error", e.what()}});
    }
    for (auto& d : dones) d(durable);
    batch.clear();
    dones.clear();
  }
}

}  // namespace edugate::gateway
