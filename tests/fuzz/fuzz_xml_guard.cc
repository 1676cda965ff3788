// Fuzz target: the XML guard, the first parser every request body meets.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "security/xml_guard.h"

namespace {

// The best of three runs, or of fewer once a run has taken `enough`.
double best_seconds(const std::string& in, double enough = 1e300) {
  double best = 1e300, last = 0;
  for (int r = 0; r < 3 && last <= enough; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    (void)edugate::security::parse_guarded(in);
    last = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, last);
  }
  return best;
}

// Mutations of small seeds never get big enough to show a quadratic cost (libxml2 2.9's start
// tags: 100,000 attributes took minutes), so large hostile inputs are generated here, once, and
// timed against a valid document of the same size. A regression aborts every fuzz run.
void check_hostile_inputs_cost_linear_time() {
  auto repeat = [](std::string head, const std::string& part, std::size_t n, const std::string& tail) {
    head.reserve(head.size() + n * part.size() + tail.size());
    for (std::size_t i = 0; i < n; ++i) head += part;
    return head + tail;
  };
  std::string attrs = "<a", ns = "<a";
  for (int i = 0; i < 100000; ++i) {
    attrs += " x" + std::to_string(i) + "=\"1\"";
    ns += " xmlns:p" + std::to_string(i) + "=\"u\"";
  }
  const std::string hostile[] = {ns + "/>", attrs + "/>", repeat("", "<a>", 1000000, ""),
                                 "<" + std::string(4u << 20, 'n') + "/>", repeat("<a>", "<b/>", 1000000, "</a>")};
  const std::string element = "<e a=\"" + std::string(150, 'v') + "\">" + std::string(230, 't') + "</e>";
  for (const auto& h : hostile) {
    std::string valid = repeat("<r>", element, h.size() / element.size(), "</r>");
    if (edugate::security::parse_guarded(h) || !edugate::security::parse_guarded(valid)) __builtin_trap();
    const double accepted = best_seconds(valid), refused = best_seconds(h, 10 * accepted);
    if (refused > 10 * accepted) {
      std::fprintf(stderr, "fuzz_xml_guard: a %zu-byte hostile input took %.4f s, a valid one %.4f s\n", h.size(),
                   refused, accepted);
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  edugate::security::init_xml();
  check_hostile_inputs_cost_linear_time();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)edugate::security::is_valid_utf8(in);
  auto doc = edugate::security::parse_guarded(in);
  if (doc && xmlDocGetRootElement(doc->get()) == nullptr) __builtin_trap();
  return 0;
}
