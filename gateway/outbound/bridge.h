#pragma once
// The JSON bridge: POST /v1/{service}/{operation} with a JSON body that mirrors the operation's
// XSD input element; the XsdModel makes the XML, the client sends it to remote (SBB) over
// Edukoppeling, and the answer element comes back as JSON. Errors are RFC 9457
// application/problem+json with the Edukoppeling code (`code`, `field`) or the Meldingen.
//   Edugate-Act-For: <OIN>   a vendor acts for this school; its mandate must be in our registry
//   Idempotency-Key: <key>   becomes the wsa:MessageID (a UUID as is, anything else as a v5 UUID)
// Security posture: robust to untrusted input (no authentication: keep the listener on loopback).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/rules.h"
#include "gateway/outbound/client.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/outbound/json_xml.h"
#include "gateway/outbound/outgoing.h"
#include "store/store.h"

namespace edugate::gateway {

struct BridgeRequest {
  std::string service, operation;  // from the path
  std::string content_type;
  std::string body;
  std::optional<std::string> act_for;          // Edugate-Act-For
  std::optional<std::string> idempotency_key;  // Idempotency-Key
};

// The MessageID of an Idempotency-Key: a UUID (bare or urn:uuid:) is used as it is; any other key
// gives the name-based (SHA-1, version 5) UUID of "<act-for OIN>\n<key>" in edugate's namespace,
// so two schools using the same key do not collide. Error (field Idempotency-Key) when empty,
// longer than 200 characters or not printable ASCII.
Result<MessageId> message_id_for_key(std::string_view key, const Oin& act_for);

// An RFC 9457 problem: {type, title, status, detail, code, field, ...}.
HttpAnswer problem(int status, const std::string& code, const std::string& detail, const std::string& field = {},
                   nlohmann::ordered_json extra = nlohmann::ordered_json::object());
inline HttpAnswer problem(int status, const rules::Rule& r, const std::string& detail, const std::string& field = {},
                          nlohmann::ordered_json extra = nlohmann::ordered_json::object()) {
  return problem(status, std::string(r.code), detail, field, std::move(extra));
}

class Bridge {
 public:
  Bridge(const Config& config, store::Store& store, std::vector<ServiceContract> contracts,
         std::shared_ptr<const XsdModel> model, std::shared_ptr<security::TlsContexts> tls);

  struct Prepared {
    const ServiceContract* contract = nullptr;
    const Operation* operation = nullptr;
    std::string xml;  // the request element
    Oin act_for;      // wsa:From: the school acted for, or ourselves
    bool acts_for_other = false;
    std::optional<MessageId> message_id;
  };
  // Route, headers and the JSON -> XML mapping; no store, no network (the fuzz target's entry).
  // On failure the problem answer to give.
  std::variant<Prepared, HttpAnswer> prepare(const BridgeRequest& request) const;

  // The whole bridge; never throws.
  HttpAnswer handle(const BridgeRequest& request);

 private:
  const Config& config_;
  store::Store& store_;
  std::vector<ServiceContract> contracts_;
  std::shared_ptr<const XsdModel> model_;
  Client client_;
};

}  // namespace edugate::gateway
