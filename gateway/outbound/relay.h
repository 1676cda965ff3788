#pragma once
// The relay (after VNG's "Digikoppeling Adapter Intern"): an internal system hands over a whole
// SOAP 1.1 envelope with WS-Addressing headers; the relay finds the receiver by the OIN in
// wsa:To (the registry's endpoint, or remote.url for remote.oin), sends it over mutual TLS with
// our certificate (signed where wssecurity.sign_requests or the party asks for it), checks the
// answer as the client does, and hands the answer envelope back. The body is never read beyond
// the XML guard and the envelope's shape: it passes through as it came. Every failure is a SOAP
// fault to the internal caller that says what happened.
// Security posture: robust to untrusted input (the listener has no authentication; keep it on
// loopback). Parsing is separate from sending (prepare) so that it can be fuzzed.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/outbound/client.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/outbound/outgoing.h"
#include "store/store.h"

namespace edugate::gateway {

class Relay {
 public:
  Relay(const Config& config, store::Store& store, std::vector<ServiceContract> contracts,
        std::shared_ptr<security::TlsContexts> tls);

  struct Prepared {
    std::string envelope;  // what goes out: the bytes as they came, or re-serialized with wsa:From filled in
    const ServiceContract* contract = nullptr;
    const Operation* operation = nullptr;
    Oin to_oin;
    Oin from_oin;
    MessageId message_id;
    std::string content;  // action + canonical body: what "the same message" means
    bool from_given = true;
  };
  // The guard, the envelope and the WS-A headers; no store, no network. Error::code is the
  // fault code (DK0001, DK0005, DK0006, DK0007, EK0023, EK0020, DK0010, DK0011, DK0003).
  Result<Prepared> prepare(std::string_view request) const;

  // The whole relay: never throws; the answer is the receiver's envelope (200 or its fault with
  // 500) or our own fault (500).
  HttpAnswer handle(std::string_view request, const std::optional<std::string>& soap_action);

 private:
  const Config& config_;
  store::Store& store_;
  std::vector<ServiceContract> contracts_;
  Client client_;
};

}  // namespace edugate::gateway
