#include "gateway/inbound/pipeline.h"

#include <openssl/evp.h>

#include <chrono>

#include "core/backend_error.h"
#include "core/hex.h"
#include "gateway/soap/envelope.h"
#include "gateway/ops/log.h"
#include "gateway/soap/wsa_rules.h"
#include "security/authorization.h"
#include "security/wssec.h"
#include "security/xml_guard.h"

namespace edugate::gateway {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string sha256_hex(std::string_view a, std::string_view b) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, EVP_sha256(), nullptr);
  EVP_DigestUpdate(c, a.data(), a.size());
  EVP_DigestUpdate(c, "\n", 1);
  EVP_DigestUpdate(c, b.data(), b.size());
  EVP_DigestFinal_ex(c, md, &n);
  EVP_MD_CTX_free(c);
  return to_hex(md, n);
}

bool client_code(const std::string& code) { return code != "DK0051" && !code.empty(); }

std::string incident_id() { return new_message_id().str().substr(9, 8); }

}  // namespace

Pipeline::Pipeline(const Config& config, store::Store& store, std::vector<std::unique_ptr<Service>> services,
                   std::shared_ptr<WsSecurity> wss, Metrics* metrics)
    : config_(config), store_(store), services_(std::move(services)), wss_(std::move(wss)), metrics_(metrics) {
  for (auto& s : services_) by_path_[s->contract().path] = s.get();
  served_.push_back(config_.oin);
}

Result<security::Authorization> Pipeline::authorize(const std::optional<store::Party>& caller, const Oin& tls_oin,
                                                   const Oin& from_oin, const std::string& agreement) {
  if (config_.role == Role::provider) return security::authorize(store_, *caller, from_oin, agreement);
  // A school's consumer takes pushes from SBB only: the configured remote OIN, acting for itself.
  if (!config_.remote_oin || !(tls_oin == *config_.remote_oin))
    return make_error("DK0002", "alleen " + (config_.remote_oin ? config_.remote_oin->str() : std::string("SBB")) +
                                    " mag berichten afleveren bij deze school");
  if (!(from_oin == tls_oin)) return make_error("EK0030", "OIN in wsa:From wijkt af van het TLS-certificaat", "wsa:From");
  return security::Authorization{tls_oin, from_oin, false, {}};
}

OutboundResponse Pipeline::fault_response(bool client, const std::string& code, const std::string& message) {
  return {500, build_fault(Fault{client, code, message, {}}, nullptr)};
}

OutboundResponse Processed::commit_failed() const {
  OutHeaders h = reply;
  h.action = kWsaFaultAction;
  h.message_id = new_message_id().str();
  return {500, build_fault(Fault{false, "DK0051",
                                 "dienst tijdelijk niet beschikbaar; probeer later opnieuw met hetzelfde MessageID", {}},
                           &h)};
}

OutboundResponse Pipeline::process(const InboundRequest& req, const Result<security::PeerIdentity>& peer) {
  Processed p = handle(req, peer);
  if (!p.commit) return std::move(p.response);
  const std::string message_id = p.commit->audit.message_id;
  try {
    store_.complete_messages({std::move(*p.commit)});
  } catch (const std::exception& e) {
    jlog::warn("backend_unavailable", {{"message_id", message_id}, {"error", e.what()}});
    count(p, false);
    return p.commit_failed();
  }
  count(p, true);
  return std::move(p.response);
}

void Pipeline::count(const Processed& p, bool durable) const {
  if (metrics_)
    metrics_->request(p.tally.service, p.tally.operation, durable ? p.tally.result : "fault:DK0051",
                      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - p.tally.received));
}

Processed Pipeline::handle(const InboundRequest& req, const Result<security::PeerIdentity>& peer) {
  const auto started = std::chrono::steady_clock::now();
  store::AuditRecord audit;
  audit.time_ms = now_ms();
  audit.direction = "in";
  audit.receiver_oin = config_.oin.str();
  if (peer) {
    audit.sender_oin = peer->oin.str();
    audit.cert_serial = peer->serial_hex;
  }
  std::optional<OutHeaders> reply;  // known once the request headers passed
  std::optional<std::pair<Oin, MessageId>> claimed;
  std::optional<std::string> confirm;  // the verified request's SignatureValue: the answer is signed [WB014]
  std::string_view op_name;            // the contract's operation, once the action is known

  // Every way out of here is counted: service, operation, the audit's result, duration.
  struct Tally {
    Metrics* metrics;
    const store::AuditRecord& audit;
    const std::string_view& op;
    std::chrono::steady_clock::time_point started;
    ~Tally() {
      if (metrics)
        metrics->request(audit.service, op, audit.result,
                         std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
    }
  } tally{metrics_, audit, op_name, req.received == std::chrono::steady_clock::time_point{} ? started : req.received};

  // Answers to a verified signed request are signed, with SignatureConfirmation.
  auto seal = [&](OutboundResponse r) -> OutboundResponse {
    if (!confirm || !wss_) return r;
    auto s = wss_->sign(r.body, confirm);
    if (!s) {
      std::string incident = incident_id();
      jlog::error("sign_failed", {{"message_id", audit.message_id}, {"incident", incident}, {"error", s.error().message}});
      audit.result = "fault:";
      return {500, build_fault(Fault{false, "", "interne fout, incident " + incident, {}}, nullptr)};
    }
    r.body = std::move(*s);
    return r;
  };

  auto finish_fault = [&](const Error& e) -> OutboundResponse {
    bool client = client_code(e.code);
    Fault f{client, e.code, e.message, e.field};
    if (reply) reply->action = kWsaFaultAction;
    audit.result = "fault:" + e.code;
    audit.duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    jlog::info("fault", {{"message_id", audit.message_id}, {"code", e.code}, {"sender", audit.sender_oin},
                         {"service", audit.service}, {"operation", op_name}});
    try {
      if (claimed) store_.release_message(claimed->first, claimed->second, audit);
      else store_.append_audit(audit);
    } catch (const std::exception& ex) {
      jlog::error("audit_failed", {{"message_id", audit.message_id}, {"error", ex.what()}});
    }
    return seal({500, build_fault(f, reply ? &*reply : nullptr)});
  };

  try {
    // Identity: the TLS certificate's OIN, and a known, active party.
    if (!peer) return finish_fault(peer.error());
    std::optional<store::Party> caller;  // read once per request (provider role)
    if (config_.role == Role::provider) {
      caller = store_.find_party(peer->oin);
      if (auto st = security::check_known_party(caller, peer->oin); !st) return finish_fault(st.error());
    }

    auto svc_it = by_path_.find(req.path);
    if (svc_it == by_path_.end()) {
      audit.result = "fault:DK0003";
      return OutboundResponse{404, build_fault(Fault{true, "DK0003", "onbekend endpoint " + req.path, {}}, nullptr)};
    }
    Service& service = *svc_it->second;
    audit.service = service.contract().name;

    // Content-Type: SOAP 1.1 is text/xml; application/soap+xml is SOAP 1.2.
    std::string ct = req.content_type;
    for (auto& ch : ct) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ct.rfind("application/soap+xml", 0) == 0)
      return finish_fault(make_error("DK0001", "SOAP 1.2 wordt niet ondersteund; gebruik SOAP 1.1 (text/xml)"));
    if (ct.rfind("text/xml", 0) != 0)
      return finish_fault(make_error("DK0001", "Content-Type moet text/xml; charset=utf-8 zijn"));
    if (auto cs = ct.find("charset="); cs != std::string::npos) {
      std::string charset = ct.substr(cs + 8);
      charset = charset.substr(0, charset.find(';'));
      std::erase(charset, '"');
      if (charset != "utf-8") return finish_fault(make_error("DK0009", "alleen charset=utf-8 is toegestaan (WS006)"));
    }

    auto doc = security::parse_guarded(req.body);
    if (!doc) return finish_fault(doc.error());
    auto env = read_envelope(std::move(doc).value(), /*allow_wsse=*/true);
    if (!env) return finish_fault(env.error());

    auto hdr = check_request_headers(env->wsa, served_);
    if (env->wsa.message_id) audit.message_id = *env->wsa.message_id;
    if (env->wsa.action) audit.action = *env->wsa.action;
    if (!hdr) {
      // Answer with RelatesTo when the MessageID itself was usable.
      if (env->wsa.message_id && MessageId::parse(*env->wsa.message_id)) {
        reply = OutHeaders{anonymous_with_oin(peer->oin), anonymous_with_oin(config_.oin), kWsaFaultAction,
                           new_message_id().str(), *env->wsa.message_id};
      }
      return finish_fault(hdr.error());
    }
    reply = OutHeaders{anonymous_with_oin(hdr->from_oin), anonymous_with_oin(config_.oin), {}, new_message_id().str(),
                       hdr->message_id.str()};

    const Operation* op = service.contract().by_action(hdr->action);
    if (op == nullptr)
      return finish_fault(make_error("DK0003", "actie " + hdr->action + " wordt op dit endpoint niet aangeboden", "wsa:Action"));
    op_name = op->name;
    if (auto st = check_soap_action(req.soap_action, hdr->action); !st) return finish_fault(st.error());
    if (env->body_child->ns == nullptr ||
        !xmlStrEqual(env->body_child->ns->href, BAD_CAST service.contract().target_ns.c_str()) ||
        !xmlStrEqual(env->body_child->name, BAD_CAST op->input_element.c_str()))
      return finish_fault(make_error("DK0004", "body-element past niet bij wsa:Action; verwacht " + op->input_element,
                                     reinterpret_cast<const char*>(env->body_child->name)));

    // WS-Security: a signature is verified whenever one is present, and required by the
    // configuration (per service) or the registry (per party). The signer must be the TLS identity.
    bool required = wss_ ? wss_->required(service.contract().name) : signature_required(config_, service.contract().name);
    if (!required && caller) required = caller->require_signature;
    if (required || security::wssec::has_security_header(env->doc.get())) {
      if (!wss_)
        return finish_fault(make_error("EK0031", "ondertekende berichten worden op dit endpoint niet ondersteund", "wsse:Security"));
      auto verified = wss_->verify(env->doc.get(), peer->oin, req.peer_chain.get(), /*request=*/true);
      if (!verified) return finish_fault(verified.error());
      confirm = verified->signature_value;
    }

    auto auth = authorize(caller, peer->oin, hdr->from_oin, service.agreement(*op));
    if (auth && auth->via_mandate) audit.on_behalf_of_oin = hdr->from_oin.str();
    if (!auth) return finish_fault(auth.error());

    auto body = canonical_body(*env);
    if (!body) return finish_fault(body.error());

    // Idempotency: (sender OIN, MessageID) with the same canonical content returns the stored answer.
    std::string hash = sha256_hex(hdr->action, *body);
    auto claim = store_.claim_message(peer->oin, hdr->message_id, hash, now_ms(), config_.claim_lease_ms);
    switch (claim.kind) {
      case store::ClaimKind::replay:
        audit.result = "replay";
        audit.duration_us =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        store_.append_audit(audit);
        return seal(OutboundResponse{claim.stored.http_status, claim.stored.body});
      case store::ClaimKind::conflict:
        return finish_fault(make_error("DK0011", "wsa:MessageID is eerder gebruikt voor een ander bericht", "wsa:MessageID"));
      case store::ClaimKind::in_progress:
        return finish_fault(make_error("DK0051", "bericht met dit MessageID wordt nog verwerkt; probeer later opnieuw"));
      case store::ClaimKind::fresh:
        claimed.emplace(peer->oin, hdr->message_id);
        break;
    }

    auto outcome = service.handle(*op, *body, CallContext{*auth, hdr->message_id, auth->on_behalf_of_naam});
    if (!outcome) return finish_fault(outcome.error());

    reply->action = op->output_action;
    OutboundResponse resp{200, build_envelope(*reply, outcome->body_xml)};
    audit.result = outcome->result;
    audit.duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    jlog::info("request", {{"message_id", audit.message_id}, {"sender", audit.sender_oin}, {"service", audit.service},
                           {"operation", op->name}, {"result", audit.result}, {"us", audit.duration_us}});
    // Durable before answered: the response and its audit record commit together (the caller
    // commits; the claim stays until then). The stored answer is unsigned; a replay is signed
    // afresh (new Timestamp, its own confirmation).
    Processed done;
    done.commit = store::Completion{peer->oin, hdr->message_id, hash, {resp.status, resp.body}, audit};
    claimed.reset();
    done.reply = *reply;
    done.response = seal(std::move(resp));
    // Counted once the commit's outcome is known (Pipeline::count), not here.
    done.tally = {audit.service, std::string(op_name), audit.result, tally.started};
    tally.metrics = nullptr;
    return done;
  } catch (const BackendUnavailable& e) {
    jlog::warn("backend_unavailable", {{"message_id", audit.message_id}, {"error", e.what()}});
    return finish_fault(make_error("DK0051", "dienst tijdelijk niet beschikbaar; probeer later opnieuw met hetzelfde MessageID"));
  } catch (const std::exception& e) {
    std::string incident = incident_id();
    jlog::error("internal_error", {{"message_id", audit.message_id}, {"incident", incident}, {"error", e.what()}});
    return finish_fault(make_error("", "interne fout, incident " + incident));
  }
}

}  // namespace edugate::gateway
