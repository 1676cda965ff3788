#include "core/url.h"

#include <cctype>

namespace edugate {

namespace {
bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}
}  // namespace

Result<Url> parse_url(std::string_view url) {
  Url u;
  std::string_view rest;
  if (starts_with_nocase(url, "https://")) {
    u.scheme = "https";
    u.port = "443";
    rest = url.substr(8);
  } else if (starts_with_nocase(url, "http://")) {
    u.scheme = "http";
    u.port = "80";
    rest = url.substr(7);
  } else {
    return make_error("URL", "not an http:// or https:// URL");
  }
  for (char c : url)
    if (c <= 0x20 || c > 0x7e) return make_error("URL", "URL has characters outside printable ASCII");
  const auto end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  std::string target(end == std::string_view::npos ? std::string_view() : rest.substr(end));
  if (auto hash = target.find('#'); hash != std::string::npos) target.resize(hash);
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  u.target = std::move(target);
  if (authority.find('@') != std::string_view::npos) return make_error("URL", "user information in the URL");
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return make_error("URL", "malformed IPv6 address");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return make_error("URL", "malformed host");
      u.port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) u.port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return make_error("URL", "no host in the URL");
  if (u.port.empty() || u.port.size() > 5 || u.port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(u.port) < 1 || std::stoi(u.port) > 65535)
    return make_error("URL", "malformed port");
  return u;
}

}  // namespace edugate
