// Stage canonical_body: the Body element as standalone exclusive-canonical XML, the input of the
// service's strict gSOAP deserialisation and of the idempotency hash (DK0004).
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

class CanonicalBody final : public Stage {
 public:
  Status run(InboundExchange& ex) override {
    auto body = gateway::canonical_body(*ex.env);
    if (!body) return body.error();
    ex.body = std::move(body).value();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Stage> canonical_body(const ChainDeps&) { return std::make_unique<CanonicalBody>(); }

}  // namespace edugate::gateway::stages
