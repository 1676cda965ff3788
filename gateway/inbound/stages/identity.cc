// Stage identity: the caller is the OIN of its verified TLS certificate, never a header
// (edukoppeling.md §3); at the provider it must be a known, active party (DK0002).
#include "gateway/inbound/stages/stages.h"
#include "security/authorization.h"

namespace edugate::gateway::stages {
namespace {

class Identity final : public Stage {
 public:
  explicit Identity(const ChainDeps& d) : d_(d) {}
  Status run(InboundExchange& ex) override {
    if (!ex.peer) return ex.peer.error();
    if (d_.config.role != Role::provider) return ok_status();
    ex.caller = d_.store.find_party(ex.peer->oin);  // read once per request
    return security::check_known_party(ex.caller, ex.peer->oin);
  }

 private:
  const ChainDeps& d_;
};

}  // namespace

std::unique_ptr<Stage> identity(const ChainDeps& d) { return std::make_unique<Identity>(d); }

}  // namespace edugate::gateway::stages
