#include "gateway/inbound/chain.h"

#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway {
namespace {

// The order of the inbound path. Nothing past a failing stage runs.
constexpr StageEntry kChain[] = {
    {"identity", "identity.cc", "OIN from the TLS certificate; a known, active party (DK0002)", stages::identity},
    {"endpoint", "endpoint.cc", "the path names a served service (DK0003, HTTP 404)", stages::endpoint},
    {"content_type", "content_type.cc", "SOAP 1.1 text/xml, UTF-8 only [WS006] (DK0001, DK0009)", stages::content_type},
    {"xml_guard", "xml_guard.cc", "UTF-8, no DTD, linear caps on size, depth, attributes, names, text (DK0009, DK0001)",
     stages::xml_guard},
    {"envelope", "envelope.cc", "SOAP 1.1 envelope, one Body child [WW003], only WS-A and WS-Security headers [WS007] "
                                "(DK0001, DK0010)", stages::envelope},
    {"addressing", "addressing.cc", "WS-Addressing: To ours, Action, MessageID urn:uuid, From, anonymous ReplyTo "
                                    "(DK0005-7, DK0011, EK0020, EK0023)", stages::addressing},
    {"operation", "operation.cc", "Action served here, SOAPAction \"\" or = Action [WS002], Body element of the "
                                  "Action (DK0003, DK0004)", stages::operation},
    {"signature", "signature.cc", "WS-Security 2W-be-S when present or required [WB001-WB014] (EK0031, DK0011)",
     stages::signature},
    {"authorization", "authorization.cc", "agreement for the service, or a vendor's mandate; a school takes pushes "
                                          "from SBB only (DK0002, EK0030)", stages::authorization},
    {"canonical_body", "canonical_body.cc", "the Body element as exclusive-canonical XML (DK0004)",
     stages::canonical_body},
    {"idempotency", "idempotency.cc", "(sender OIN, MessageID): same content → the stored answer (DK0011, DK0051)",
     stages::idempotency},
    {"service", "service.cc", "the service and its backend adapter; business problems as Meldingen (DK0004, DK0051)",
     stages::service},
    {"commit", "commit.cc", "durable answer + audit record before the answer is sent (DK0051)", stages::commit},
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
