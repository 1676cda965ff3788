#include "gateway/outbound/publish.h"

#include <chrono>

#include "gateway/services/leerbedrijf_service.h"
#include "gateway/services/mappings.h"
#include "core/clock.h"

namespace edugate::gateway {
namespace {

store::OutboxMessage message(const store::Party& school, const char* operation, std::string body) {
  store::OutboxMessage m;
  m.destination_oin = school.oin.str();
  m.endpoint = school.endpoint;
  m.service = "schoolontvangst";
  m.operation = operation;
  m.body = std::move(body);
  m.message_id = new_message_id().str();
  m.created_ms = now_ms();
  return m;
}

std::vector<store::Party> subscribers(store::Store& store, const char* agreement) {
  std::vector<store::Party> out;
  for (const auto& p : store.parties())
    if (p.kind == store::PartyKind::school && p.status == store::PartyStatus::actief && !p.endpoint.empty() &&
        store.has_agreement(p.oin, agreement))
      out.push_back(p);
  return out;
}

}  // namespace

int publish_results(const Config&, store::Store& store, bpvmonitor::Backend& backend, const Periode& periode) {
  int n = 0;
  for (const auto& school : subscribers(store, "bpvmonitor")) {
    auto brin = brin_of(school.oin);
    if (!brin) continue;
    auto results = backend.resultaten(*brin, bpvmonitor::Resultatenfilter{periode, std::nullopt, std::nullopt, std::nullopt});
    store.outbox_enqueue(message(school, "OntvangMonitorresultaten", mapping::monitorresultaten_push(*brin, periode, results)));
    ++n;
  }
  return n;
}

int pump_mutations(const Config& config, store::Store& store, leerbedrijf::Backend& backend) {
  const std::string counter = "pushed:leerbedrijf-mutaties";
  int enqueued = 0;
  // A new provider starts pushing from the mutations recorded after its first start; older
  // ones are available to schools with HaalMutatiesOp.
  // Set once, by compare-and-set from "absent": instances starting at once agree on one start.
  if (!store.counter(counter))
    store.outbox_enqueue_with_counter({}, counter, std::nullopt, backend.mutaties({0, 1}).laatste_volgnummer);
  for (;;) {
    std::int64_t last = *store.counter(counter);
    auto batch = backend.mutaties({last, config.mutations_per_message});
    if (batch.mutaties.empty()) return enqueued;
    std::vector<store::OutboxMessage> ms;
    std::string body = mapping::erkenningmutaties_push(batch.mutaties);
    for (const auto& school : subscribers(store, kAgreementMutaties))
      ms.push_back(message(school, "OntvangErkenningmutaties", body));
    if (!store.outbox_enqueue_with_counter(ms, counter, last, batch.mutaties.back().volgnummer))
      return enqueued;  // another pump got there first
    enqueued += static_cast<int>(ms.size());
  }
}

}  // namespace edugate::gateway
