// Stage service: the service maps the canonical body to domain types (identifiers parsed once)
// and calls its backend adapter; business problems come back as Meldingen in a normal answer,
// a body the contract refuses as DK0004, a backend that is down as DK0051 (BackendUnavailable).
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

class ServiceStage final : public Stage {
 public:
  Status run(InboundExchange& ex) override {
    auto outcome = ex.service->handle(*ex.op, ex.body,
                                      CallContext{*ex.auth, ex.hdr->message_id, ex.auth->on_behalf_of_naam,
                                                  WriteKey{ex.peer->oin, ex.hdr->message_id, ex.hash}});
    if (!outcome) return outcome.error();
    ex.outcome.emplace(std::move(outcome).value());
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Stage> service(const ChainDeps&) { return std::make_unique<ServiceStage>(); }

}  // namespace edugate::gateway::stages
