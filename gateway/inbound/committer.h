#pragma once
// Group commit: answers are made durable in batches. Workers hand a completion over and go on
// with the next request; one thread commits everything that queued up while the previous
// commit (its fsync) ran, in one transaction, then releases the answers. Under load one
// fsync serves many requests; alone, a request waits for exactly one commit, as before.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace edugate::gateway {

class Committer {
 public:
  // done(true) once the completion is durable; done(false) when the commit failed (nothing of
  // it was stored and its claim was released). Called on the committer's thread.
  using Done = std::function<void(bool durable)>;

  explicit Committer(store::Store& store, std::size_t max_batch = 256);
  ~Committer();  // stop()
  // Commits what was handed over (calling each done), then ends the thread. Idempotent. The
  // gateway calls it before its io_context goes: the done callbacks post answers there.
  void stop();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void submit(store::Completion completion, Done done);

 private:
  void run();

  store::Store& store_;
  const std::size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<store::Completion, Done>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace edugate::gateway
