#include "gateway/outbound/relay.h"

#include <libxml/tree.h>

#include "core/rules.h"
#include "gateway/ops/log.h"
#include "gateway/soap/envelope.h"
#include "gateway/soap/wsa_rules.h"
#include "security/authorization.h"
#include "security/xml_guard.h"

namespace edugate::gateway {

namespace {

HttpAnswer fault_answer(const Fault& f) {
  return HttpAnswer{500, "text/xml; charset=utf-8", build_fault(f, nullptr), {}};
}

// wsa:From with our OIN (or remote.act_for's), added as the last WS-A header.
Status add_from(xmlDoc* doc, const Oin& from) {
  xmlNode* env = xmlDocGetRootElement(doc);
  xmlNode* header = nullptr;
  for (xmlNode* c = env->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "Header")) header = c;
  if (!header) return make_error(rules::DK0005, "soap:Header ontbreekt", "soap:Header");
  xmlNs* wsa = xmlSearchNsByHref(doc, header, BAD_CAST kWsaNs);
  if (!wsa) wsa = xmlNewNs(header, BAD_CAST kWsaNs, BAD_CAST "wsa");
  xmlNode* f = xmlNewChild(header, wsa, BAD_CAST "From", nullptr);
  xmlNewTextChild(f, wsa, BAD_CAST "Address", BAD_CAST anonymous_with_oin(from).c_str());
  return ok_status();
}

}  // namespace

Relay::Relay(const Config& config, store::Store& store, std::vector<ServiceContract> contracts,
             std::shared_ptr<security::TlsContexts> tls)
    : config_(config), store_(store), contracts_(std::move(contracts)), client_(config, std::move(tls)) {}

Result<Relay::Prepared> Relay::prepare(std::string_view request) const {
  auto doc = security::parse_guarded(request);
  if (!doc) return doc.error();
  auto env = read_envelope(std::move(doc).value(), /*allow_wsse=*/false);
  if (!env) return env.error();
  // The WS-A rules of the inbound chain (soap/wsa_rules.h), for a message to another party:
  // wsa:To names the receiver, wsa:From is ours unless the sender names the school it acts for.
  const WsaHeaders& wsa = env->wsa;
  auto to = check_to(wsa);
  if (!to) return to.error();
  if (auto st = check_action(wsa); !st) return st.error();
  auto mid = check_message_id(wsa);
  if (!mid) return mid.error();
  if (auto st = check_reply_targets(wsa); !st) return st.error();
  Prepared p{std::string(request), nullptr, nullptr, *to, config_.act_for ? *config_.act_for : config_.oin, *mid, {}, true};
  if (wsa.from) {
    auto from = check_from(wsa);
    if (!from) return from.error();
    p.from_oin = *from;
  } else {
    p.from_given = false;
  }
  for (const auto& c : contracts_)
    if (const Operation* op = c.by_action(*wsa.action)) {
      p.contract = &c;
      p.operation = op;
    }
  if (!p.operation) return make_error(rules::DK0003, "wsa:Action " + *wsa.action + " is geen actie van een bekend contract", "wsa:Action");
  auto canon = canonical_body(*env);
  if (!canon) return canon.error();
  p.content = *wsa.action + "\n" + *canon;
  if (!p.from_given) {
    if (auto st = add_from(env->doc.get(), p.from_oin); !st) return st.error();
    xmlChar* out = nullptr;
    int n = 0;
    xmlDocDumpMemoryEnc(env->doc.get(), &out, &n, "UTF-8");
    if (!out) return make_error(rules::DK0001, "envelope kan niet opnieuw worden geschreven");
    p.envelope.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
    xmlFree(out);
  }
  return p;
}

HttpAnswer Relay::handle(std::string_view request, const std::optional<std::string>& soap_action) {
  auto p = prepare(request);
  if (!p) {
    jlog::info("relay_refused", {{"code", p.error().code}, {"field", p.error().field}});
    return fault_answer({true, p.error().code, p.error().message, p.error().field});
  }
  const std::string mid = p->message_id.str();
  if (auto st = check_soap_action(soap_action, p->operation->input_action); !st)
    return fault_answer({true, st.error().code, st.error().message, st.error().field});
  try {
    // wsa:From names us, the school we act for by configuration, or a school we hold a mandate for.
    if (auto st = security::check_may_send_for(store_, config_.oin, config_.act_for, p->from_oin, p->contract->name,
                                               "wsa:From");
        !st) {
      jlog::info("relay_refused", {{"message_id", mid}, {"code", st.error().code}, {"from", p->from_oin.str()}});
      return fault_answer(make_fault(rules::EK0030, st.error().message, st.error().field));
    }
    // The receiver: remote.oin at remote.url, or an active party of the registry with an endpoint.
    std::string url;
    bool sign = config_.wss_sign_requests;
    if (config_.remote_oin && p->to_oin == *config_.remote_oin) {
      url = config_.remote_url;
    }
    if (auto party = store_.find_party(p->to_oin)) {
      if (url.empty() && party->status == store::PartyStatus::actief) url = party->endpoint;
      sign = sign || party->require_signature;
    }
    if (url.empty()) {
      jlog::info("relay_refused", {{"message_id", mid}, {"code", rules::DK0005.code}, {"to", p->to_oin.str()}});
      return fault_answer(make_fault(rules::DK0005,
                           "onbekende ontvanger: OIN " + p->to_oin.str() +
                               " in wsa:To staat niet (actief, met endpoint) in het register en is niet remote.oin",
                           "wsa:To"));
    }
    switch (record_sent(store_, p->from_oin, p->message_id, p->content)) {
      case SentRecord::conflict:
        jlog::info("relay_refused", {{"message_id", mid}, {"code", rules::DK0011.code}, {"reason", "message_id_reused"}});
        return fault_answer(make_fault(rules::DK0011,
                             "wsa:MessageID " + mid + " is al verzonden met een andere inhoud; gebruik een nieuw MessageID",
                             "wsa:MessageID"));
      case SentRecord::same:
        jlog::info("relay_resend", {{"message_id", mid}, {"to", p->to_oin.str()}});
        break;
      case SentRecord::fresh:
        break;
    }
    SendOptions o;
    o.raw_envelope = true;
    o.message_id = p->message_id;
    o.url = url;
    o.remote_oin = p->to_oin;
    o.sign = sign;
    auto ex = client_.send(*p->contract, *p->operation, p->envelope, o);
    if (!ex) {
      const auto& e = ex.error();
      jlog::warn("relay_failed", {{"message_id", mid}, {"to", p->to_oin.str()}, {"code", e.code}, {"error", e.message}});
      if (e.code == "TRANSPORT") {
        const bool timeout = e.message.find("timed out") != std::string::npos || e.message.find("timeout") != std::string::npos;
        return fault_answer(make_fault(rules::DK0051,
                             std::string(timeout ? "ontvanger " : "ontvanger onbereikbaar: ") + p->to_oin.str() + " (" + url +
                                 (timeout ? ") antwoordde niet op tijd: " : "): ") + e.message +
                                 "; probeer het later opnieuw met hetzelfde MessageID",
                             ""));
      }
      if (e.code == "TLS-IDENTITY")
        return fault_answer({false, "TLS-IDENTITY",
                             "het certificaat van " + url + " draagt niet het OIN " + p->to_oin.str() + " uit wsa:To; niet verzonden",
                             "wsa:To"});
      return fault_answer({false, e.code, "antwoord van " + p->to_oin.str() + " afgekeurd: " + e.message, e.field});
    }
    jlog::info("relayed", {{"message_id", mid},
                           {"to", p->to_oin.str()},
                           {"action", p->operation->input_action},
                           {"http_status", ex->http_status},
                           {"outcome", ex->is_fault ? "fault:" + ex->fault_code : "ok"}});
    return HttpAnswer{ex->http_status == 200 ? 200 : 500, "text/xml; charset=utf-8", std::move(ex->response), {}};
  } catch (const std::exception& e) {
    jlog::error("relay_failed", {{"message_id", mid}, {"error", e.what()}});
    return fault_answer(make_fault(rules::DK0051, "deze gateway kan het bericht nu niet vastleggen; probeer het later opnieuw", ""));
  }
}

}  // namespace edugate::gateway
