// Stage addressing: the WS-Addressing rules of a request (edukoppeling.md §2, soap/wsa_rules.h):
// wsa:To with our OIN (DK0005, DK0011), Action (DK0006), MessageID urn:uuid (DK0007, EK0023),
// From with ?oin= (EK0020), ReplyTo/FaultTo anonymous (DK0011). Fixes the answer's headers.
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

class Addressing final : public Stage {
 public:
  explicit Addressing(const ChainDeps& d) : d_(d) {}
  Status run(InboundExchange& ex) override {
    const WsaHeaders& wsa = ex.env->wsa;
    if (wsa.message_id) ex.audit.message_id = *wsa.message_id;
    if (wsa.action) ex.audit.action = *wsa.action;
    auto hdr = check_request_headers(wsa, d_.served);
    if (!hdr) {
      // The fault relates to the request when its MessageID itself was usable.
      if (wsa.message_id && MessageId::parse(*wsa.message_id))
        ex.reply = OutHeaders{anonymous_with_oin(ex.peer->oin), anonymous_with_oin(d_.config.oin), kWsaFaultAction,
                              new_message_id().str(), *wsa.message_id};
      return hdr.error();
    }
    ex.reply = OutHeaders{anonymous_with_oin(hdr->from_oin), anonymous_with_oin(d_.config.oin), {},
                          new_message_id().str(), hdr->message_id.str()};
    ex.hdr.emplace(std::move(hdr).value());
    return ok_status();
  }

 private:
  const ChainDeps& d_;
};

}  // namespace

std::unique_ptr<Stage> addressing(const ChainDeps& d) { return std::make_unique<Addressing>(d); }

}  // namespace edugate::gateway::stages
