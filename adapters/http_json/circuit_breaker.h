#pragma once
// A circuit breaker for one backend: after `failure_threshold` consecutive failed requests it
// opens (requests are refused at once, the backend gets a rest); after `cooldown` it lets one
// trial request through (half-open); the trial's outcome closes it or opens it again.
// Thread-safe; time is passed in, so the unit tests drive it without sleeping.
#include <chrono>
#include <mutex>

namespace edugate::adapters::http_json {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  // What allow() hands out: whether the request may go, and whether it is the half-open trial.
  struct Permit {
    bool allowed = false;
    bool trial = false;
    explicit operator bool() const { return allowed; }
  };

  CircuitBreaker(int failure_threshold, std::chrono::milliseconds cooldown);

  Permit allow(Clock::time_point now);
  // The outcome of a request allow() let through. Outcomes of requests that started before the
  // circuit opened do not count while it is open or half-open: only the trial decides.
  void record(const Permit& permit, bool success, Clock::time_point now);
  State state() const;
  int consecutive_failures() const;

 private:
  const int threshold_;
  const std::chrono::milliseconds cooldown_;
  mutable std::mutex mu_;
  State state_ = State::closed;
  int failures_ = 0;
  Clock::time_point opened_at_{};
};

const char* to_string(CircuitBreaker::State s);

}  // namespace edugate::adapters::http_json
