#include "gateway/soap/wsa_rules.h"

#include <algorithm>

#include "core/rules.h"

namespace edugate::gateway {

Result<Oin> check_to(const WsaHeaders& wsa) {
  if (!wsa.to || wsa.to->empty()) return make_error(rules::DK0005, "wsa:To ontbreekt", "wsa:To");
  auto to_oin = oin_of_address(*wsa.to);
  if (!to_oin) return make_error(rules::DK0005, "wsa:To bevat geen geldig ?oin=: " + to_oin.error().message, "wsa:To");
  return to_oin;
}

Status check_action(const WsaHeaders& wsa) {
  if (!wsa.action || wsa.action->empty()) return make_error(rules::DK0006, "wsa:Action ontbreekt", "wsa:Action");
  return ok_status();
}

Result<MessageId> check_message_id(const WsaHeaders& wsa) {
  if (!wsa.message_id || wsa.message_id->empty())
    return make_error(rules::DK0007, "wsa:MessageID ontbreekt", "wsa:MessageID");
  return MessageId::parse(*wsa.message_id);  // EK0023
}

Result<Oin> check_from(const WsaHeaders& wsa) {
  if (!wsa.from || wsa.from->empty()) return make_error(rules::EK0020, "wsa:From ontbreekt", "wsa:From");
  auto from_oin = oin_of_address(*wsa.from);
  if (!from_oin)
    return make_error(rules::EK0020, "wsa:From/wsa:Address bevat geen geldig ?oin=: " + from_oin.error().message,
                      "wsa:From");
  return from_oin;
}

Status check_reply_targets(const WsaHeaders& wsa) {
  // A non-anonymous ReplyTo/FaultTo would ask us to connect somewhere: never (SSRF).
  if (wsa.reply_to && !is_anonymous_address(*wsa.reply_to))
    return make_error(rules::DK0011, "wsa:ReplyTo moet anoniem zijn (synchroon antwoord)", "wsa:ReplyTo");
  if (wsa.fault_to && !is_anonymous_address(*wsa.fault_to))
    return make_error(rules::DK0011, "wsa:FaultTo moet anoniem zijn (synchroon antwoord)", "wsa:FaultTo");
  return ok_status();
}

Result<RequestHeaders> check_request_headers(const WsaHeaders& wsa, const std::vector<Oin>& served) {
  auto to_oin = check_to(wsa);
  if (!to_oin) return to_oin.error();
  if (auto st = check_action(wsa); !st) return st.error();
  auto mid = check_message_id(wsa);
  if (!mid) return mid.error();
  auto from_oin = check_from(wsa);
  if (!from_oin) return from_oin.error();
  if (auto st = check_reply_targets(wsa); !st) return st.error();
  if (std::find(served.begin(), served.end(), *to_oin) == served.end())
    return make_error(rules::DK0011, "OIN in wsa:To is niet het OIN van deze ontvanger", "wsa:To");
  return RequestHeaders{*wsa.to, *to_oin, *from_oin, *wsa.action, *mid};
}

Status check_soap_action(const std::optional<std::string>& http, std::string_view wsa_action) {
  if (!http) return ok_status();
  std::string_view v = *http;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || v == wsa_action) return ok_status();
  return make_error(rules::DK0003, "HTTP SOAPAction is niet leeg en niet gelijk aan wsa:Action " + rules::cite(rules::WS002), "SOAPAction");
}

Status check_response_headers(const WsaHeaders& wsa, const MessageId& sent, const Oin& expected_from) {
  if (!wsa.relates_to || *wsa.relates_to != sent.str())
    return make_error(rules::DK0008, "antwoord zonder wsa:RelatesTo gelijk aan het verzonden MessageID", "wsa:RelatesTo");
  if (!wsa.from) return make_error(rules::EK0020, "antwoord zonder wsa:From", "wsa:From");
  auto from = oin_of_address(*wsa.from);
  if (!from || !(*from == expected_from))
    return make_error(rules::EK0030, "OIN in wsa:From van het antwoord is niet dat van de aangeroepen partij", "wsa:From");
  return ok_status();
}

}  // namespace edugate::gateway
