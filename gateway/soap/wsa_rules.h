#pragma once
// The Edukoppeling rules for the WS-Addressing headers of a request (edukoppeling.md §2) and the
// HTTP SOAPAction (WS002). Each failure carries its fault code in Error::code.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "gateway/soap/envelope.h"

namespace edugate::gateway {

struct RequestHeaders {
  std::string to;
  Oin to_oin;
  Oin from_oin;
  std::string action;
  MessageId message_id;
};

// One rule each, shared by the inbound chain (addressing stage) and the relay, which applies
// the same rules to what it sends on (with a wsa:To of another party, and wsa:From optional).
Result<Oin> check_to(const WsaHeaders& wsa);                // DK0005: present, with ?oin=
Status check_action(const WsaHeaders& wsa);                 // DK0006: present
Result<MessageId> check_message_id(const WsaHeaders& wsa);  // DK0007 present, EK0023 urn:uuid
Result<Oin> check_from(const WsaHeaders& wsa);              // EK0020: present, with ?oin=
Status check_reply_targets(const WsaHeaders& wsa);          // DK0011: ReplyTo/FaultTo anonymous

// All of them, and wsa:To naming one of `served` (DK0011): the OINs this gateway answers for.
Result<RequestHeaders> check_request_headers(const WsaHeaders& wsa, const std::vector<Oin>& served);

// The HTTP SOAPAction header (quotes allowed) must be absent, "" or equal to wsa:Action (DK0003).
Status check_soap_action(const std::optional<std::string>& http_soap_action, std::string_view wsa_action);

// Checks of a response against the request we sent (client side): RelatesTo (DK0008), From OIN.
Status check_response_headers(const WsaHeaders& wsa, const MessageId& sent, const Oin& expected_from);

}  // namespace edugate::gateway
