#pragma once
// The wall clock as the store and the logs count it: Unix time in milliseconds or seconds.
// Durations and deadlines use std::chrono::steady_clock directly.
#include <chrono>
#include <cstdint>

namespace edugate {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace edugate
