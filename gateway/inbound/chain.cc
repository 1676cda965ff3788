#include "gateway/inbound/chain.h"

#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway {
namespace {

using namespace rules;
constexpr const Rule* kIdentity[] = {&DK0002, &WT001};
constexpr const Rule* kEndpoint[] = {&DK0003};
constexpr const Rule* kContentType[] = {&WS006, &DK0001, &DK0009};
constexpr const Rule* kXmlGuard[] = {&DK0009, &DK0001};
constexpr const Rule* kEnvelope[] = {&WW003, &WS007, &DK0001, &DK0010};
constexpr const Rule* kAddressing[] = {&DK0005, &DK0006, &DK0007, &DK0011, &EK0020, &EK0023};
constexpr const Rule* kOperation[] = {&WS002, &DK0003, &DK0004};
constexpr const Rule* kSignature[] = {&WB004, &WB014, &EK0031, &DK0011};
constexpr const Rule* kAuthorization[] = {&DK0002, &EK0030};
constexpr const Rule* kCanonicalBody[] = {&DK0004};
constexpr const Rule* kIdempotency[] = {&DK0011, &DK0051};
constexpr const Rule* kService[] = {&DK0004, &DK0051};
constexpr const Rule* kCommit[] = {&DK0051};

// The order of the inbound path. Nothing past a failing stage runs.
constexpr StageEntry kChain[] = {
    {"identity", "identity.cc", "OIN from the TLS certificate; a known, active party", kIdentity, stages::identity},
    {"endpoint", "endpoint.cc", "the path names a served service (HTTP 404)", kEndpoint, stages::endpoint},
    {"content_type", "content_type.cc", "SOAP 1.1 text/xml, UTF-8 only", kContentType, stages::content_type},
    {"xml_guard", "xml_guard.cc", "UTF-8, no DTD, linear caps on size, depth, attributes, names, text", kXmlGuard,
     stages::xml_guard},
    {"envelope", "envelope.cc", "SOAP 1.1 envelope, one Body child, only WS-A and WS-Security headers", kEnvelope,
     stages::envelope},
    {"addressing", "addressing.cc", "WS-Addressing: To ours, Action, MessageID urn:uuid, From, anonymous ReplyTo",
     kAddressing, stages::addressing},
    {"operation", "operation.cc", "Action served here, SOAPAction \"\" or = Action, Body element of the Action",
     kOperation, stages::operation},
    {"signature", "signature.cc", "WS-Security 2W-be-S when present or required", kSignature, stages::signature},
    {"authorization", "authorization.cc", "agreement for the service, or a vendor's mandate; a school takes pushes "
                                          "from SBB only", kAuthorization, stages::authorization},
    {"canonical_body", "canonical_body.cc", "the Body element as exclusive-canonical XML", kCanonicalBody,
     stages::canonical_body},
    {"idempotency", "idempotency.cc", "(sender OIN, MessageID): same content → the stored answer", kIdempotency,
     stages::idempotency},
    {"service", "service.cc", "the service and its backend adapter; business problems as Meldingen", kService,
     stages::service},
    {"commit", "commit.cc", "durable answer + audit record before the answer is sent", kCommit, stages::commit},
};

}  // namespace

std::span<const StageEntry> inbound_chain() { return kChain; }

std::string describe_chain() {
  std::string s;
  for (const auto& e : kChain) {
    if (!s.empty()) s += " → ";
    s += e.name;
  }
  return s;
}

}  // namespace edugate::gateway
