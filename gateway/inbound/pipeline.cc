#include "gateway/inbound/pipeline.h"

#include "core/backend_error.h"
#include "core/clock.h"
#include "core/rules.h"
#include "gateway/ops/log.h"

namespace edugate::gateway {

std::string incident_id() { return new_message_id().str().substr(9, 8); }

void Delivery::operator()(OutboundResponse r, std::string_view result) const {
  if (metrics)
    metrics->request(service, operation, result,
                     std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - received));
  respond(std::move(r));
}

Pipeline::Pipeline(const Config& config, store::Store& store, std::vector<std::unique_ptr<Service>> services,
                   std::shared_ptr<WsSecurity> wss, Metrics* metrics)
    : config_(config), store_(store), services_(std::move(services)), wss_(std::move(wss)), metrics_(metrics) {
  for (auto& s : services_) by_path_[s->contract().path] = s.get();
  deps_ = std::make_unique<ChainDeps>(ChainDeps{config_, store_, by_path_, wss_.get(), metrics_, {config_.oin}});
  for (const auto& entry : inbound_chain()) stages_.push_back(entry.make(*deps_));
}

Pipeline::~Pipeline() = default;

OutboundResponse Pipeline::fault_response(const rules::Rule& fault, std::string message) {
  return {500, build_fault(make_fault(fault, std::move(message)), nullptr)};
}

OutboundResponse Pipeline::process(const InboundRequest& req, const Result<security::PeerIdentity>& peer) {
  OutboundResponse out;
  handle(req, peer, nullptr, [&out](OutboundResponse r) { out = std::move(r); });
  return out;
}

void Pipeline::handle(const InboundRequest& req, const Result<security::PeerIdentity>& peer, Committer* committer,
                      Responder respond) {
  InboundExchange ex(req, peer, committer, std::move(respond), metrics_);
  ex.audit.time_ms = now_ms();
  ex.audit.direction = "in";
  ex.audit.receiver_oin = config_.oin.str();
  if (peer) {
    ex.audit.sender_oin = peer->oin.str();
    ex.audit.cert_serial = peer->serial_hex;
  }
  try {
    for (auto& stage : stages_) {
      if (auto st = stage->run(ex); !st) return fail(ex, st.error());
      if (ex.delivered) return;
      if (ex.answer) {
        OutboundResponse answer = seal(ex, wss_.get(), std::move(*ex.answer));
        return ex.delivery()(std::move(answer), ex.audit.result);
      }
    }
  } catch (const BackendUnavailable& e) {
    jlog::warn("backend_unavailable", {{"message_id", ex.audit.message_id}, {"error", e.what()}});
    if (!ex.delivered)
      fail(ex, make_error(rules::DK0051, "dienst tijdelijk niet beschikbaar; probeer later opnieuw met hetzelfde MessageID"));
  } catch (const std::exception& e) {
    std::string incident = incident_id();
    jlog::error("internal_error", {{"message_id", ex.audit.message_id}, {"incident", incident}, {"error", e.what()}});
    if (!ex.delivered) fail(ex, make_error(rules::internal, "interne fout, incident " + incident));
  } catch (...) {
    std::string incident = incident_id();
    jlog::error("internal_error", {{"message_id", ex.audit.message_id}, {"incident", incident}});
    if (!ex.delivered) fail(ex, make_error(rules::internal, "interne fout, incident " + incident));
  }
}

void Pipeline::fail(InboundExchange& ex, const Error& e) {
  Fault f{rules::is_client(e.code), e.code, e.message, e.field};
  if (ex.reply) ex.reply->action = kWsaFaultAction;
  ex.audit.result = "fault:" + e.code;
  ex.audit.duration_us = ex.elapsed_us();
  jlog::lazy(spdlog::level::info, "fault", [&] {
    return jlog::Fields{{"message_id", ex.audit.message_id}, {"code", e.code}, {"sender", ex.audit.sender_oin},
                        {"service", ex.audit.service}, {"operation", ex.operation_name()}};
  });
  try {
    if (ex.claimed) store_.release_message(ex.peer->oin, ex.hdr->message_id, ex.audit);
    else store_.append_audit(ex.audit);
  } catch (const std::exception& ex2) {
    jlog::error("audit_failed", {{"message_id", ex.audit.message_id}, {"error", ex2.what()}});
  }
  OutboundResponse answer = seal(ex, wss_.get(), {500, build_fault(f, ex.reply ? &*ex.reply : nullptr)});
  ex.delivered = true;
  ex.delivery()(std::move(answer), ex.audit.result);
}

}  // namespace edugate::gateway
