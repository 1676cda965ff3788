#pragma once
// The http_json backends: each typed request goes as JSON to the configured backend
// (transport.h), each answer comes back as the typed answer (wire.h). The wire contract is in
// docs/HTTP_JSON_BACKEND.md. Robust to an untrusted backend: whatever it answers ends as a typed
// answer or as BackendUnavailable (DK0051), never as a crash.
#include <memory>

#include "adapters/http_json/config.h"
#include "core/bpvmonitor.h"
#include "core/leerbedrijf.h"
#include "core/praktijkloket.h"

namespace edugate::adapters::http_json {

std::unique_ptr<leerbedrijf::Backend> make_leerbedrijf_backend(const Settings& settings);
std::unique_ptr<bpvmonitor::Backend> make_bpvmonitor_backend(const Settings& settings);
std::unique_ptr<praktijkloket::Backend> make_praktijkloket_backend(const Settings& settings);

// Registers the "http_json" adapter for the three provider services with adapters/registry.h.
void register_factories();

}  // namespace edugate::adapters::http_json
