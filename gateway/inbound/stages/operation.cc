// Stage operation: the wsa:Action is an operation of this endpoint's WSDL (DK0003), the HTTP
// SOAPAction is "" or the Action [WS002] (DK0003), and the Body element is that operation's
// input element in the service's namespace (DK0004).
#include "core/rules.h"
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

class OperationStage final : public Stage {
 public:
  Status run(InboundExchange& ex) override {
    const ServiceContract& contract = ex.service->contract();
    const Operation* op = contract.by_action(ex.hdr->action);
    if (op == nullptr)
      return make_error(rules::DK0003, "actie " + ex.hdr->action + " wordt op dit endpoint niet aangeboden", "wsa:Action");
    ex.op = op;
    if (auto st = check_soap_action(ex.req.soap_action, ex.hdr->action); !st) return st;
    const xmlNode* child = ex.env->body_child;
    if (child->ns == nullptr || !xmlStrEqual(child->ns->href, BAD_CAST contract.target_ns.c_str()) ||
        !xmlStrEqual(child->name, BAD_CAST op->input_element.c_str()))
      return make_error(rules::DK0004, "body-element past niet bij wsa:Action; verwacht " + op->input_element,
                        reinterpret_cast<const char*>(child->name));
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Stage> operation(const ChainDeps&) { return std::make_unique<OperationStage>(); }

}  // namespace edugate::gateway::stages
