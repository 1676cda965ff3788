#pragma once
// Logs are JSON lines (conventions.md): every line one object
//   {"time":"2026-01-31T12:00:00.123Z","level":"info","event":"request","message_id":"urn:uuid:…",…}
// written to stderr. Callers name an event and pass identifiers and outcomes as fields, never
// payload content; the values are escaped here (so an error text with quotes cannot break a
// line) and, as a second line of defence, scrubbed of what looks like personal data: e-mail
// addresses, numbers that pass the BSN eleven-test, and dates.
#include <spdlog/common.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace edugate::gateway::jlog {

using Fields = nlohmann::ordered_json;

// Installs the process's logger: stderr, JSON lines, at `level` (trace … off). batch_ms > 0:
// lines at info and below leave in one write per batch_ms (warn and above at once, behind them);
// 0: every line is written when it is made.
void setup(const std::string& level, int batch_ms = 0);
void set_batch_ms(int batch_ms);  // a reload
// The write(2) calls the process's logger has made so far (for its unit test).
std::uint64_t stderr_writes();

// One line: {"time","level","event", then the fields in order}. Cheap when the level is off.
void write(spdlog::level::level_enum level, std::string_view event, const Fields& fields = Fields::object());
inline void trace(std::string_view event, const Fields& f = Fields::object()) { write(spdlog::level::trace, event, f); }
inline void debug(std::string_view event, const Fields& f = Fields::object()) { write(spdlog::level::debug, event, f); }
inline void info(std::string_view event, const Fields& f = Fields::object()) { write(spdlog::level::info, event, f); }
inline void warn(std::string_view event, const Fields& f = Fields::object()) { write(spdlog::level::warn, event, f); }
inline void error(std::string_view event, const Fields& f = Fields::object()) { write(spdlog::level::err, event, f); }

// The fields made only when the level is on: for the lines of every request, whose fields
// (a JSON object of copied strings) would otherwise be built and dropped at a higher level.
//   jlog::lazy(spdlog::level::info, "request", [&] { return jlog::Fields{{"message_id", id}}; });
bool on(spdlog::level::level_enum level);
template <class MakeFields>
  requires std::is_invocable_r_v<Fields, MakeFields>
void lazy(spdlog::level::level_enum level, std::string_view event, MakeFields&& make) {
  if (on(level)) write(level, event, make());
}

// The personal-data scrubber applied to every string value (exposed for its unit test):
// e-mail addresses become "<e-mail>", 9-digit numbers passing the eleven-test "<bsn>", dates
// (2006-02-28, 28-02-2006, 28/02/2006) "<datum>".
std::string scrub(std::string_view text);

}  // namespace edugate::gateway::jlog
