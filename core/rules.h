#pragma once
// The start of the rule catalogue (issue 15, point 2, not done): names for the codes the inbound
// chain and the WS-A rules raise, so raise sites name an entry instead of a literal. Texts, the
// standard's rule per entry, the other codes and the tests over the catalogue are still to come.
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace edugate::rules {
enum class Side { client, server };
struct Rule {
  std::string_view code;
  Side side;
  std::string_view text;
  std::string_view standard;
};
inline constexpr Rule DK0001{"DK0001", Side::client, "", ""};
inline constexpr Rule DK0002{"DK0002", Side::client, "", ""};
inline constexpr Rule DK0003{"DK0003", Side::client, "", ""};
inline constexpr Rule DK0004{"DK0004", Side::client, "", ""};
inline constexpr Rule DK0005{"DK0005", Side::client, "", ""};
inline constexpr Rule DK0006{"DK0006", Side::client, "", ""};
inline constexpr Rule DK0007{"DK0007", Side::client, "", ""};
inline constexpr Rule DK0008{"DK0008", Side::client, "", ""};
inline constexpr Rule DK0009{"DK0009", Side::client, "", ""};
inline constexpr Rule DK0011{"DK0011", Side::client, "", ""};
inline constexpr Rule DK0051{"DK0051", Side::server, "", ""};
inline constexpr Rule EK0020{"EK0020", Side::client, "", ""};
inline constexpr Rule EK0030{"EK0030", Side::client, "", ""};
inline constexpr Rule EK0031{"EK0031", Side::client, "", ""};
inline constexpr Rule internal{"", Side::server, "", ""};
inline bool is_client(std::string_view code) { return code != "DK0051" && !code.empty(); }
}  // namespace edugate::rules

namespace edugate {
inline Error make_error(const rules::Rule& r, std::string message, std::string field = {}) {
  return Error{std::string(r.code), std::move(message), std::move(field)};
}
}  // namespace edugate
