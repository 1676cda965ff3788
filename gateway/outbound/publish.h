#pragma once
// What SBB pushes to schools, put in the outbox (committed before any attempt to send):
// monitor results when a period is published, erkenning mutations when they are recorded.
#include <string>

#include "core/bpvmonitor.h"
#include "core/leerbedrijf.h"
#include "gateway/ops/config.h"
#include "store/store.h"

namespace edugate::gateway {

// Enqueues the period's results for every school with the bpvmonitor agreement and an endpoint.
// Returns the number of messages enqueued.
int publish_results(const Config& config, store::Store& store, bpvmonitor::Backend& backend, const Periode& periode);

// Enqueues the erkenning mutations recorded since the last call for every school with the
// kAgreementMutaties agreement (leerbedrijf_service.h) and an endpoint, in
// batches of outbox.mutations_per_message, moving the durable "last pushed" counter in the same
// transaction. Returns the number of messages enqueued.
int pump_mutations(const Config& config, store::Store& store, leerbedrijf::Backend& backend);

}  // namespace edugate::gateway
