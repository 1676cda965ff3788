#pragma once
// What `edugate bench` sends: the target from --url and the request from --request FILE.json,
//   {"service": "leerbedrijf", "action": "VerifieerErkenning",
//    "to_oin": "...", "from_oin": "...",                 (from_oin: default the OIN of --cert)
//    "body": "<raw XML of the soap:Body child>"}         (or a JSON object mirroring the XSD)
// Placeholders in the body: {{seq}} becomes a token unique to the run and the request (for keys
// the backend must not have seen, e.g. a BpvoKenmerk), {{today}} / {{today+N}} / {{today-N}} a
// date (YYYY-MM-DD) relative to the day the run starts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"

namespace edugate::bench {

struct Target {
  std::string host, port, path;  // path may be empty: the service's own path is used
};
// https://host[:port][/path]; throws std::runtime_error on anything else.
Target parse_target(const std::string& url);

class RequestTemplate {
 public:
  // Throws std::runtime_error naming the file (and field) when the request is unusable.
  static RequestTemplate load(const std::string& file, const std::string& contract_dir, const Target& target,
                              const std::optional<Oin>& own_oin);
  // A template from its parts (tests; and what load() ends with).
  RequestTemplate(std::string service, std::string operation, std::string action, std::string path, std::string to,
                  std::string from, const std::string& body);

  // A whole SOAP envelope with the WS-A headers as gateway/envelope builds them and a fresh
  // wsa:MessageID; seq makes {{seq}} unique.
  std::string envelope(std::uint64_t seq) const;

  const std::string& service() const { return service_; }
  const std::string& operation() const { return operation_; }
  const std::string& action() const { return action_; }  // wsa:Action and the SOAPAction header
  const std::string& path() const { return path_; }      // the HTTP request target

 private:
  std::string service_, operation_, action_, path_, to_, from_, run_tag_;
  std::vector<std::string> parts_;  // the body split at each {{seq}}
};

// {{today...}} placeholders replaced, for a given day (exposed for tests).
std::string expand_dates(const std::string& text, const Datum& today);

}  // namespace edugate::bench
