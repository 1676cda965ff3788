#pragma once
// Another process's resource use from /proc (Linux): CPU time and resident memory, sampled
// before and after a measurement. A sample that cannot be read is empty (the process ended,
// or /proc is not ours to read).
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace edugate::bench {

struct ProcSample {
  double cpu_s = 0;              // utime + stime from /proc/PID/stat
  std::int64_t rss_kb = 0;       // VmRSS from /proc/PID/status
  std::int64_t rss_peak_kb = 0;  // VmHWM
};

std::optional<ProcSample> sample_process(pid_t pid);
// This process's CPU time (user + system, all threads).
double own_cpu_seconds();

}  // namespace edugate::bench
