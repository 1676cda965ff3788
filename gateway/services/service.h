#pragma once
// gateway::Service: one per WSDL. Knows its contract (path, actions), the agreement it needs,
// and turns a typed request into a typed response by calling its backend.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/keyed_writes.h"
#include "core/result.h"
#include "gateway/soap/contract.h"
#include "security/authorization.h"

namespace edugate::gateway {

struct CallContext {
  security::Authorization auth;
  MessageId message_id;
  std::string on_behalf_of_naam;  // the registry's name of the wsa:From party (provider role), for documents
  std::optional<WriteKey> key;    // the idempotency key a write hands its backend (none: not keyed)
};

struct Outcome {
  std::string body_xml;       // the response element (no XML declaration)
  std::string result = "ok";  // for the audit: ok | melding:<code of the first fout>
};

class Service {
 public:
  virtual ~Service() = default;
  virtual const ServiceContract& contract() const = 0;
  // The agreement (registry service name) a caller needs for an operation.
  virtual std::string agreement(const Operation&) const { return contract().name; }
  // body_xml: the canonical body element. Errors: DK0004 naming the element; BackendUnavailable
  // propagates as an exception (DK0051).
  virtual Result<Outcome> handle(const Operation& op, std::string_view body_xml, const CallContext& ctx) = 0;
};

}  // namespace edugate::gateway
