// Stage envelope: a SOAP 1.1 envelope with one Body child [WW003] (DK0001) and no header blocks
// but WS-Addressing and WS-Security [WS007] (DK0010); the shape of each WS-A header.
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

class Envelope final : public Stage {
 public:
  Status run(InboundExchange& ex) override {
    auto env = read_envelope(std::move(ex.doc), /*allow_wsse=*/true);
    if (!env) return env.error();
    ex.env.emplace(std::move(env).value());
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Stage> envelope(const ChainDeps&) { return std::make_unique<Envelope>(); }

}  // namespace edugate::gateway::stages
