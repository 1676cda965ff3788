#include "gateway/outbound/bridge.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "core/rules.h"
#include "gateway/ops/log.h"
#include "gateway/outbound/openapi.h"
#include "gateway/services/registry.h"
#include "security/authorization.h"

namespace edugate::gateway {

using json = nlohmann::ordered_json;

namespace {

const char* title_of(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

// The HTTP status for a fault the provider answered with.
int status_of_fault(const std::string& code, bool client) {
  if (code == rules::DK0051.code) return 503;
  if (code == rules::DK0002.code || code == rules::EK0030.code || code == rules::EK0031.code) return 403;
  if (code == rules::DK0011.code) return 409;
  return client ? 400 : 502;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// edugate's namespace for name-based MessageIDs (a fixed random UUID).
constexpr std::array<unsigned char, 16> kKeyNamespace{0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x4d, 0x4a, 0x0b,
                                                      0x9c, 0x21, 0x5e, 0x77, 0x30, 0xd2, 0x14, 0xa9};

}  // namespace

HttpAnswer problem(int status, const std::string& code, const std::string& detail, const std::string& field, json extra) {
  json p{{"type", "urn:edugate:probleem:" + lower(code.empty() ? "intern" : code)},
         {"title", title_of(status)},
         {"status", status},
         {"detail", detail}};
  if (!code.empty()) p["code"] = code;
  if (!field.empty()) p["field"] = field;
  for (auto it = extra.begin(); it != extra.end(); ++it) p[it.key()] = it.value();
  HttpAnswer a{status, "application/problem+json", p.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", {}};
  if (status == 503) a.headers.emplace_back("Retry-After", "1");
  return a;
}

Result<MessageId> message_id_for_key(std::string_view key, const Oin& act_for) {
  if (key.empty() || key.size() > 200)
    return make_error(rules::DK0007, "Idempotency-Key moet 1 tot 200 tekens lang zijn", "Idempotency-Key");
  for (char c : key)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
      return make_error(rules::DK0007, "Idempotency-Key mag alleen zichtbare ASCII-tekens bevatten", "Idempotency-Key");
  if (auto m = MessageId::parse(key)) return *m;
  if (auto m = MessageId::parse("urn:uuid:" + lower(std::string(key)))) return *m;
  const std::string name = act_for.str() + "\n" + std::string(key);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, EVP_sha1(), nullptr);  // RFC 4122 §4.3 version 5: SHA-1 by definition (an identifier, not a signature)
  EVP_DigestUpdate(c, kKeyNamespace.data(), kKeyNamespace.size());
  EVP_DigestUpdate(c, name.data(), name.size());
  EVP_DigestFinal_ex(c, md, &n);
  EVP_MD_CTX_free(c);
  md[6] = static_cast<unsigned char>((md[6] & 0x0F) | 0x50);
  md[8] = static_cast<unsigned char>((md[8] & 0x3F) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s = "urn:uuid:";
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[md[i] >> 4];
    s += hex[md[i] & 15];
  }
  return MessageId::parse(s);
}

Bridge::Bridge(const Config& config, store::Store& store, std::vector<ServiceContract> contracts,
               std::shared_ptr<const XsdModel> model, std::shared_ptr<security::TlsContexts> tls)
    : config_(config), store_(store), contracts_(std::move(contracts)), model_(std::move(model)), client_(config, std::move(tls)) {}

std::variant<Bridge::Prepared, HttpAnswer> Bridge::prepare(const BridgeRequest& r) const {
  Prepared p{nullptr, nullptr, {}, config_.act_for ? *config_.act_for : config_.oin, false, std::nullopt};
  const auto& offered = bridge_services();
  if (std::find(offered.begin(), offered.end(), r.service) != offered.end())
    for (const auto& c : contracts_)
      if (c.name == r.service) p.contract = &c;
  if (!p.contract)
    return problem(404, rules::DK0003, "onbekende dienst '" + r.service + "': " + service_list(true, " of ") + " (zie /v1/openapi.json)",
                   "service");
  p.operation = p.contract->by_name(r.operation);
  if (!p.operation)
    return problem(404, rules::DK0003, "dienst " + r.service + " kent geen operatie '" + r.operation + "' (zie /v1/openapi.json)",
                   "operation");
  std::string_view ct = r.content_type;
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  if (lower(std::string(ct)) != "application/json")
    return problem(415, rules::DK0001, "Content-Type moet application/json zijn", "Content-Type");

  if (r.act_for) {
    auto o = Oin::parse(*r.act_for);
    if (!o) return problem(400, rules::EK0020, "Edugate-Act-For is geen geldig OIN: " + o.error().message, "Edugate-Act-For");
    p.act_for = *o;
  }
  p.acts_for_other = !(p.act_for == config_.oin);
  if (r.idempotency_key) {
    auto m = message_id_for_key(*r.idempotency_key, p.act_for);
    if (!m) return problem(400, m.error().code, m.error().message, m.error().field);
    p.message_id = *m;
  }
  json body;
  try {
    body = json::parse(r.body);
  } catch (const json::exception& e) {
    return problem(400, rules::DK0001, std::string("de body is geen geldige JSON: ") + e.what(), "");
  }
  if (!body.is_object())
    return problem(400, rules::DK0004, "de body moet een JSON-object zijn (" + p.operation->input_element + ")", "$");
  auto xml = model_->json_to_xml(p.contract->target_ns, p.operation->input_element, body);
  if (!xml) return problem(400, rules::DK0004, xml.error().message, xml.error().field);
  p.xml = std::move(*xml);
  return p;
}

HttpAnswer Bridge::handle(const BridgeRequest& r) {
  auto prepared = prepare(r);
  if (auto* a = std::get_if<HttpAnswer>(&prepared)) {
    jlog::info("bridge_refused", {{"service", r.service}, {"status", a->status}});
    return std::move(*a);
  }
  auto& p = std::get<Prepared>(prepared);
  const std::string svc = p.contract->name;
  try {
    // Acting for a school: a mandate for it must be in our registry (edugate onboard mandate).
    // EK0030, as the provider would answer a wsa:From it has no mandate for (the relay's check).
    if (auto st = security::check_may_send_for(store_, config_.oin, config_.act_for, p.act_for, svc, "Edugate-Act-For");
        !st) {
      jlog::info("bridge_refused", {{"service", svc}, {"code", st.error().code}, {"act_for", p.act_for.str()}});
      return problem(403, rules::EK0030, st.error().message, st.error().field);
    }
    if (config_.remote_url.empty() || !config_.remote_oin)
      return problem(503, rules::DK0051, "remote.url en remote.oin zijn niet geconfigureerd", "");
    if (p.message_id) {
      if (record_sent(store_, p.act_for, *p.message_id, p.operation->input_action + "\n" + p.xml) == SentRecord::conflict) {
        jlog::info("bridge_refused", {{"message_id", p.message_id->str()}, {"code", rules::DK0011.code}, {"reason", "key_reused"}});
        return problem(409, rules::DK0011,
                       "Idempotency-Key is al gebruikt met een andere body (MessageID " + p.message_id->str() + ")",
                       "Idempotency-Key", {{"message_id", p.message_id->str()}});
      }
    }
    SendOptions o;
    o.message_id = p.message_id;
    if (p.acts_for_other) o.act_for = p.act_for;
    auto ex = client_.send(*p.contract, *p.operation, p.xml, o);
    if (!ex) {
      const auto& e = ex.error();
      jlog::warn("bridge_failed", {{"service", svc}, {"operation", p.operation->name}, {"code", e.code}, {"error", e.message}});
      json extra{{"retryable", e.code == "TRANSPORT"}};
      if (p.message_id) extra["message_id"] = p.message_id->str();
      if (e.code == "TRANSPORT") {
        const bool timeout = e.message.find("timed out") != std::string::npos || e.message.find("timeout") != std::string::npos;
        return problem(timeout ? 504 : 503, rules::DK0051,
                       std::string(timeout ? "de aanbieder antwoordde niet op tijd: " : "de aanbieder is onbereikbaar: ") +
                           e.message + "; probeer opnieuw met dezelfde Idempotency-Key",
                       "", extra);
      }
      return problem(502, e.code, "antwoord van de aanbieder afgekeurd: " + e.message, e.field, extra);
    }
    json extra{{"message_id", ex->sent.str()}};
    if (ex->is_fault) {
      const bool client = ex->faultcode.find("Client") != std::string::npos;
      const int status = status_of_fault(ex->fault_code, client);
      extra["retryable"] = ex->fault_code == rules::DK0051.code;
      jlog::info("bridged", {{"message_id", ex->sent.str()}, {"service", svc}, {"operation", p.operation->name},
                             {"outcome", "fault:" + ex->fault_code}});
      return problem(status, ex->fault_code, ex->faultstring, ex->fault_field, extra);
    }
    auto answer = model_->xml_text_to_json(ex->body_xml);
    if (!answer) return problem(502, rules::DK0004, "antwoord van de aanbieder is niet te lezen: " + answer.error().message, "", extra);
    // Meldingen of Ernst "fout" at the top of the answer: the request was not carried out.
    json errors = json::array();
    if (answer->is_object() && answer->contains("Melding") && (*answer)["Melding"].is_array())
      for (const auto& m : (*answer)["Melding"])
        if (m.is_object() && m.value("Ernst", "") == "fout") errors.push_back(m);
    jlog::info("bridged", {{"message_id", ex->sent.str()}, {"service", svc}, {"operation", p.operation->name},
                           {"outcome", errors.empty() ? "ok" : "melding"}});
    if (!errors.empty()) {
      extra["meldingen"] = (*answer)["Melding"];
      extra["antwoord"] = *answer;
      std::string first = errors[0].value("Code", "") + ": " + errors[0].value("Tekst", "");
      return problem(422, "MELDING", first, errors[0].value("Veld", ""), extra);
    }
    HttpAnswer a{200, "application/json", answer->dump(-1, ' ', false, json::error_handler_t::replace) + "\n", {}};
    a.headers.emplace_back("Edugate-Message-Id", ex->sent.str());
    return a;
  } catch (const std::exception& e) {
    jlog::error("bridge_failed", {{"service", svc}, {"error", e.what()}});
    return problem(503, rules::DK0051, "deze gateway kan het verzoek nu niet verwerken; probeer het later opnieuw", "");
  }
}

}  // namespace edugate::gateway
