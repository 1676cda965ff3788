// Stage endpoint: the request path names one of the services this gateway serves; another path
// is answered 404 with DK0003 at once (no audit record: nothing was addressed to a service).
#include "core/rules.h"
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

class Endpoint final : public Stage {
 public:
  explicit Endpoint(const ChainDeps& d) : d_(d) {}
  Status run(InboundExchange& ex) override {
    auto it = d_.by_path.find(ex.req.path);
    if (it == d_.by_path.end()) {
      ex.audit.result = rules::fault_outcome(rules::DK0003);
      ex.answer = OutboundResponse{
          404, build_fault(make_fault(rules::DK0003, "onbekend endpoint " + ex.req.path), nullptr)};
      return ok_status();
    }
    ex.service = it->second;
    ex.audit.service = ex.service->contract().name;
    return ok_status();
  }

 private:
  const ChainDeps& d_;
};

}  // namespace

std::unique_ptr<Stage> endpoint(const ChainDeps& d) { return std::make_unique<Endpoint>(d); }

}  // namespace edugate::gateway::stages
