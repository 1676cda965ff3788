// Stage xml_guard: the first parser the body meets (security/xml_guard.h): UTF-8 only (DK0009),
// no DTD, and every cap on size, depth, attributes, names and text enforced in one linear pass
// before libxml2 builds the tree (DK0001).
#include "gateway/inbound/stages/stages.h"
#include "security/xml_guard.h"

namespace edugate::gateway::stages {
namespace {

class XmlGuard final : public Stage {
 public:
  Status run(InboundExchange& ex) override {
    auto doc = security::parse_guarded(ex.req.body);
    if (!doc) return doc.error();
    ex.doc = std::move(doc).value();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Stage> xml_guard(const ChainDeps&) { return std::make_unique<XmlGuard>(); }

}  // namespace edugate::gateway::stages
