// Stage commit: durable before answered (edukoppeling.md §6). The answer and its audit record
// commit together, in the group committer's next batch (inbound/committer.h) or at once; only
// then is the answer sent and counted. The stored answer is unsigned; a replay is signed afresh.
// When the commit fails nothing of it is stored, the claim is released, and the answer is DK0051
// (retry with the same MessageID).
#include "core/crash_point.h"
#include "core/rules.h"
#include "gateway/inbound/committer.h"
#include "gateway/inbound/stages/stages.h"
#include "gateway/ops/log.h"

namespace edugate::gateway::stages {
namespace {

OutboundResponse commit_failed(OutHeaders h) {
  h.action = kWsaFaultAction;
  h.message_id = new_message_id().str();
  return {500, build_fault(make_fault(rules::DK0051, "dienst tijdelijk niet beschikbaar; probeer later opnieuw met hetzelfde MessageID"),
                           &h)};
}

class Commit final : public Stage {
 public:
  explicit Commit(const ChainDeps& d) : d_(d) {}
  Status run(InboundExchange& ex) override {
    ex.reply->action = ex.op->output_action;
    OutboundResponse resp{200, build_envelope(*ex.reply, ex.outcome->body_xml)};
    ex.audit.result = ex.outcome->result;
    ex.audit.duration_us = ex.elapsed_us();
    jlog::lazy(spdlog::level::info, "request", [&] {
      return jlog::Fields{{"message_id", ex.audit.message_id}, {"sender", ex.audit.sender_oin},
                          {"service", ex.audit.service}, {"operation", ex.op->name}, {"result", ex.audit.result},
                          {"us", ex.audit.duration_us}};
    });
    store::Completion completion{ex.peer->oin, ex.hdr->message_id, ex.hash, {resp.status, resp.body}, ex.audit};
    ex.claimed = false;  // the completion carries the claim from here on
    OutboundResponse sealed = seal(ex, d_.wss, std::move(resp));
    std::string result = ex.audit.result;
    Delivery deliver = ex.delivery();
    ex.delivered = true;
    const std::string_view op_name = ex.op->name;  // the contract's: lives as long as the gateway
    if (ex.committer) {
      ex.committer->submit(std::move(completion), [deliver = std::move(deliver), sealed = std::move(sealed),
                                                   reply = *ex.reply, result = std::move(result), op_name](bool durable) mutable {
        if (durable) {
          crash_point("gateway_committed", op_name);
          deliver(std::move(sealed), result);
        } else deliver(commit_failed(std::move(reply)), rules::fault_outcome(rules::DK0051));
      });
      return ok_status();
    }
    const std::string message_id = ex.audit.message_id;
    try {
      d_.store.complete_messages({std::move(completion)});
    } catch (const std::exception& e) {
      jlog::warn("backend_unavailable", {{"message_id", message_id}, {"error", e.what()}});
      deliver(commit_failed(*ex.reply), rules::fault_outcome(rules::DK0051));
      return ok_status();
    }
    crash_point("gateway_committed", op_name);
    deliver(std::move(sealed), result);
    return ok_status();
  }

 private:
  const ChainDeps& d_;
};

}  // namespace

std::unique_ptr<Stage> commit(const ChainDeps& d) { return std::make_unique<Commit>(d); }

}  // namespace edugate::gateway::stages
