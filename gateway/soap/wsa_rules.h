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

// served: the OINs this gateway answers for (wsa:To must carry one of them).
Result<RequestHeaders> check_request_headers(const WsaHeaders& wsa, const std::vector<Oin>& served);

// The HTTP SOAPAction header (quotes allowed) must be absent, "" or equal to wsa:Action (DK0003).
Status check_soap_action(const std::optional<std::string>& http_soap_action, std::string_view wsa_action);

// Checks of a response against the request we sent (client side): RelatesTo (DK0008), From OIN.
Status check_response_headers(const WsaHeaders& wsa, const MessageId& sent, const Oin& expected_from);

}  // namespace edugate::gateway
