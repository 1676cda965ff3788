#pragma once
// One inbound request on its way through the chain (chain.h): what arrived, and what each stage
// has learnt of it so far. Stages read what earlier stages wrote and add their own part.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/ops/metrics.h"
#include "gateway/services/service.h"
#include "gateway/soap/envelope.h"
#include "gateway/soap/wsa_rules.h"
#include "gateway/soap/wss.h"
#include "security/pki.h"
#include "store/store.h"

namespace edugate::gateway {

class Committer;

struct InboundRequest {
  std::string path;                       // target without query
  std::string content_type;
  std::optional<std::string> soap_action; // HTTP SOAPAction header, if sent
  std::string body;
  X509ChainPtr peer_chain;                // intermediates the TLS peer sent (WS-Security signer chain)
  std::chrono::steady_clock::time_point received{};  // last byte read (the latency metric counts the queue wait too)
};

struct OutboundResponse {
  int status = 200;
  std::string body;
  std::string content_type = "text/xml; charset=utf-8";
};

// Called exactly once per request with its answer; after a group commit, on the committer's thread.
using Responder = std::function<void(OutboundResponse)>;

// Hands an answer to the connection and counts it (service, operation, outcome, duration). A
// value, so the commit stage can carry it past the end of the exchange to the committer.
struct Delivery {
  Responder respond;
  Metrics* metrics = nullptr;
  std::string service, operation;
  std::chrono::steady_clock::time_point received{};
  void operator()(OutboundResponse r, std::string_view result) const;
};

struct InboundExchange {
  InboundExchange(const InboundRequest& r, const Result<security::PeerIdentity>& p, Committer* c, Responder respond,
           Metrics* metrics)
      : req(r), peer(p), committer(c), respond_(std::move(respond)), metrics_(metrics) {}

  const InboundRequest& req;
  const Result<security::PeerIdentity>& peer;
  Committer* committer;  // null: the commit stage commits at once, on this thread
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  bool delivered = false;  // the answer has been handed to a Delivery (the commit stage)

  store::AuditRecord audit;
  std::optional<store::Party> caller;   // identity: the TLS identity's registry entry (provider role)
  Service* service = nullptr;           // endpoint
  security::XmlDocPtr doc;              // xml_guard, until the envelope stage takes it
  std::optional<ParsedEnvelope> env;    // envelope
  std::optional<RequestHeaders> hdr;    // addressing
  std::optional<OutHeaders> reply;      // addressing: the answer's headers, once the request's are known
  const Operation* op = nullptr;        // operation
  std::optional<std::string> confirm;   // signature: the verified SignatureValue; the answer is signed [WB014]
  std::optional<security::Authorization> auth;  // authorization
  std::string body;                     // canonical_body: the body element, exclusive-canonical
  std::string hash;                     // idempotency: the content hash the MessageID is bound to
  bool claimed = false;                 // idempotency: the MessageID is claimed (released on a fault)
  std::optional<Outcome> outcome;       // service
  std::optional<OutboundResponse> answer;  // set by a stage that answers (the chain then stops)

  std::string_view operation_name() const { return op ? std::string_view(op->name) : std::string_view(); }
  // Where the answer goes, counted under the service and operation known so far.
  Delivery delivery() const {
    return {respond_, metrics_, audit.service, std::string(operation_name()),
            req.received == std::chrono::steady_clock::time_point{} ? started : req.received};
  }
  std::int64_t elapsed_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  }

 private:
  Responder respond_;
  Metrics* metrics_;
};

// Eight hex digits that name an internal error in the answer and in the log.
std::string incident_id();


}  // namespace edugate::gateway
