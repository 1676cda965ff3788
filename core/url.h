#pragma once
// The one URL parser: http:// and https:// URLs as the gateway, the probe, the bench, the CRL
// fetcher and the http_json adapter are given them (configuration, registry, command line).
// Input is untrusted text: every refusal names the problem.
#include <string>
#include <string_view>

#include "core/result.h"

namespace edugate {

struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // without the brackets of an IPv6 literal
  std::string port;    // digits (1..65535); the scheme's default (80, 443) when the URL names none
  std::string target;  // path and query, "/" when the URL has no path; a fragment is dropped
  // The target without its query.
  std::string path() const { return target.substr(0, target.find('?')); }
};

// Refused (code "URL"): another scheme, characters outside printable ASCII, user information,
// a malformed IPv6 literal, no host, a malformed port.
Result<Url> parse_url(std::string_view url);

}  // namespace edugate
