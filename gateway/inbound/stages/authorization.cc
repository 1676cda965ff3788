// Stage authorization: edukoppeling.md §3. Provider: the caller has an agreement for the
// service, or, acting for the party in wsa:From, a mandate for it (security/authorization.h:
// DK0002, EK0030). Consumer (a school's push receiver): only SBB's configured OIN delivers, for
// itself (DK0002, EK0030).
#include "core/rules.h"
#include "gateway/inbound/stages/stages.h"
#include "security/authorization.h"

namespace edugate::gateway::stages {
namespace {

class Authorization final : public Stage {
 public:
  explicit Authorization(const ChainDeps& d) : d_(d) {}
  Status run(InboundExchange& ex) override {
    auto auth = authorize(ex);
    if (!auth) return auth.error();
    if (auth->via_mandate) ex.audit.on_behalf_of_oin = ex.hdr->from_oin.str();
    ex.auth.emplace(std::move(auth).value());
    return ok_status();
  }

 private:
  Result<security::Authorization> authorize(const InboundExchange& ex) const {
    const Oin& tls_oin = ex.peer->oin;
    const Oin& from_oin = ex.hdr->from_oin;
    if (d_.config.role == Role::provider)
      return security::authorize(d_.store, *ex.caller, from_oin, ex.service->agreement(*ex.op));
    const auto& sbb = d_.config.remote_oin;
    if (!sbb || !(tls_oin == *sbb))
      return make_error(rules::DK0002, "alleen " + (sbb ? sbb->str() : std::string("SBB")) +
                                           " mag berichten afleveren bij deze school");
    if (!(from_oin == tls_oin))
      return make_error(rules::EK0030, "OIN in wsa:From wijkt af van het TLS-certificaat", "wsa:From");
    return security::Authorization{tls_oin, from_oin, false, {}};
  }

  const ChainDeps& d_;
};

}  // namespace

std::unique_ptr<Stage> authorization(const ChainDeps& d) { return std::make_unique<Authorization>(d); }

}  // namespace edugate::gateway::stages
