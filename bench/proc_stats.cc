#include "bench/proc_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace edugate::bench {

std::optional<ProcSample> sample_process(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream stat(dir + "/stat");
  std::string line;
  if (!stat || !std::getline(stat, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int n = 3; rest >> field; ++n) {  // field 3 is the state
    if (n == 14) utime = std::stoull(field);
    if (n == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  ProcSample s;
  s.cpu_s = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream status(dir + "/status");
  while (std::getline(status, line)) {
    auto value = [&] { return std::stoll(line.substr(line.find(':') + 1)); };  // "VmRSS:   1234 kB"
    if (line.rfind("VmRSS:", 0) == 0)
      s.rss_kb = value();
    else if (line.rfind("VmHWM:", 0) == 0)
      s.rss_peak_kb = value();
  }
  return s;
}

double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

}  // namespace edugate::bench
