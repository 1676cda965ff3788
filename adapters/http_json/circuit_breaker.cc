#include "adapters/http_json/circuit_breaker.h"

namespace edugate::adapters::http_json {

CircuitBreaker::CircuitBreaker(int failure_threshold, std::chrono::milliseconds cooldown)
    : threshold_(failure_threshold < 1 ? 1 : failure_threshold), cooldown_(cooldown) {}

CircuitBreaker::Permit CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  switch (state_) {
    case State::closed:
      return {true, false};
    case State::open:
      if (now - opened_at_ < cooldown_) return {false, false};
      state_ = State::half_open;  // this request is the one trial
      return {true, true};
    case State::half_open:
      return {false, false};  // the trial is in flight
  }
  return {false, false};
}

void CircuitBreaker::record(const Permit& permit, bool success, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (permit.trial) {
    if (success) {
      state_ = State::closed;
      failures_ = 0;
    } else {
      state_ = State::open;
      opened_at_ = now;
    }
    return;
  }
  if (state_ != State::closed) return;
  if (success) {
    failures_ = 0;
    return;
  }
  if (++failures_ >= threshold_) {
    state_ = State::open;
    opened_at_ = now;
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

const char* to_string(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half_open";
  }
  return "?";
}

}  // namespace edugate::adapters::http_json
