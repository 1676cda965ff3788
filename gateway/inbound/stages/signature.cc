// Stage signature: WS-Security 2W-be-S (edukoppeling.md §4, WB001-WB014). A signature is
// verified whenever one is present, and required by the configuration (per service) or the
// registry (per party); the signer must be the TLS identity (EK0031; a stale Timestamp DK0011).
// Work only signed messages need is not done for unsigned ones. The answer to a verified signed
// request is signed, with SignatureConfirmation [WB014]: seal(), used wherever an answer leaves.
#include "core/rules.h"
#include "gateway/inbound/stages/stages.h"
#include "gateway/ops/log.h"
#include "security/wssec.h"

namespace edugate::gateway {

OutboundResponse seal(InboundExchange& ex, WsSecurity* wss, OutboundResponse r) {
  if (!ex.confirm || !wss) return r;
  auto s = wss->sign(r.body, ex.confirm);
  if (!s) {
    std::string incident = incident_id();
    jlog::error("sign_failed", {{"message_id", ex.audit.message_id}, {"incident", incident}, {"error", s.error().message}});
    ex.audit.result = rules::fault_outcome(rules::internal);
    return {500, build_fault(make_fault(rules::internal, "interne fout, incident " + incident), nullptr)};
  }
  r.body = std::move(*s);
  return r;
}

namespace stages {
namespace {

class Signature final : public Stage {
 public:
  explicit Signature(const ChainDeps& d) : d_(d) {}
  Status run(InboundExchange& ex) override {
    const std::string& name = ex.service->contract().name;
    bool required = d_.wss ? d_.wss->required(name) : signature_required(d_.config, name);
    if (!required && ex.caller) required = ex.caller->require_signature;
    if (!required && !security::wssec::has_security_header(ex.env->doc.get())) return ok_status();
    if (!d_.wss)
      return make_error(rules::EK0031, "ondertekende berichten worden op dit endpoint niet ondersteund", "wsse:Security");
    auto verified = d_.wss->verify(ex.env->doc.get(), ex.peer->oin, ex.req.peer_chain.get(), /*request=*/true);
    if (!verified) return verified.error();
    ex.confirm = verified->signature_value;
    return ok_status();
  }

 private:
  const ChainDeps& d_;
};

}  // namespace

std::unique_ptr<Stage> signature(const ChainDeps& d) { return std::make_unique<Signature>(d); }

}  // namespace stages
}  // namespace edugate::gateway
