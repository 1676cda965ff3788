#include "gateway/ops/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/rules.h"

namespace edugate::gateway {

// "fault:<code>" for every fault of the catalogue (core/rules.h).
const std::vector<std::string_view> Metrics::kOutcomes = [] {
  std::vector<std::string_view> v{"ok", "melding", "replay"};
  for (const std::string& f : rules::fault_outcomes()) v.push_back(f);
  v.insert(v.end(), {"fault:internal", "other"});
  return v;
}();

const std::vector<std::string_view> Metrics::kTlsFailureReasons{
    "timeout",         "closed",          "no_client_certificate", "protocol",    "certificate_revoked",
    "certificate_expired", "certificate_not_yet_valid", "crl_expired", "crl_missing", "untrusted",
    "ocsp_unknown",    "ocsp_no_answer",  "wrong_usage",     "bad_certificate", "other"};

const std::vector<std::string_view> Metrics::kConnectionRefusals{"total", "per_address", "pending_handshakes"};
// The reasons of gateway/edge/http_strict.h (strict::kReasons; its unit test holds the two equal).
const std::vector<std::string_view> Metrics::kHttpRefusals{
    "too_large",  "head_too_large", "content_length_and_transfer_encoding", "content_length_conflict",
    "bad_content_length", "bad_transfer_encoding", "bad_chunk", "missing_host", "bad_host", "malformed", "method", "other"};

namespace {

std::size_t index_in(const std::vector<std::string_view>& list, std::string_view v) {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i] == v) return i;
  return list.size() - 1;  // "other"
}

template <class T>
std::unique_ptr<std::atomic<T>[]> zeroed(std::size_t n) {
  auto p = std::make_unique<std::atomic<T>[]>(n);
  for (std::size_t i = 0; i < n; ++i) p[i].store(0, std::memory_order_relaxed);
  return p;
}

constexpr auto relaxed = std::memory_order_relaxed;

}  // namespace

Metrics::Metrics(const std::vector<ServiceContract>& served) {
  auto add = [&](std::string name, std::string path, const std::vector<Operation>& ops) {
    auto s = std::make_unique<ServiceSlot>();
    s->name = std::move(name);
    s->path = std::move(path);
    for (const auto& op : ops) {
      s->op_index.emplace(op.name, s->operations.size());
      s->operations.push_back(op.name);
    }
    s->operations.emplace_back("unknown");
    s->requests = zeroed<std::uint64_t>(s->operations.size() * kOutcomes.size());
    services_.push_back(std::move(s));
  };
  for (const auto& c : served) add(c.name, c.path, c.operations);
  add("unknown", "", {});
  tls_failures_ = zeroed<std::uint64_t>(kTlsFailureReasons.size());
  http_refusals_ = zeroed<std::uint64_t>(kHttpRefusals.size());
  connection_refusals_ = zeroed<std::uint64_t>(kConnectionRefusals.size());
}

std::size_t Metrics::service_index(std::string_view name) const {
  for (std::size_t i = 0; i + 1 < services_.size(); ++i)
    if (services_[i]->name == name) return i;
  return services_.size() - 1;
}

std::string_view Metrics::service_of_path(std::string_view path) const {
  for (std::size_t i = 0; i + 1 < services_.size(); ++i)
    if (services_[i]->path == path) return services_[i]->name;
  return {};
}

std::size_t Metrics::outcome_index(std::string_view result) {
  if (result.starts_with("melding")) return 1;
  if (result == "fault:") return index_in(kOutcomes, "fault:internal");
  return index_in(kOutcomes, result);
}

void Metrics::request(std::string_view service, std::string_view operation, std::string_view result,
                      std::chrono::microseconds duration) {
  ServiceSlot& s = *services_[service_index(service)];
  auto op = s.op_index.find(operation);
  std::size_t oi = op == s.op_index.end() ? s.operations.size() - 1 : op->second;
  s.requests[oi * kOutcomes.size() + outcome_index(result)].fetch_add(1, relaxed);
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count()));
  std::size_t b = 0;
  while (b < kLatencyBuckets.size() && static_cast<double>(us) > kLatencyBuckets[b] * 1e6) ++b;
  s.buckets[b].fetch_add(1, relaxed);
  s.duration_us.fetch_add(us, relaxed);
}

void Metrics::tls_handshake_failure(std::string_view reason) {
  tls_failures_[index_in(kTlsFailureReasons, reason)].fetch_add(1, relaxed);
}

void Metrics::connection_refused(std::string_view reason) {
  connection_refusals_[index_in(kConnectionRefusals, reason)].fetch_add(1, relaxed);
}
void Metrics::http_refused(std::string_view reason) { http_refusals_[index_in(kHttpRefusals, reason)].fetch_add(1, relaxed); }

void Metrics::render(std::string& out) const {
  using namespace prom;
  family(out, "edugate_requests_total", "counter",
         "Requests answered, by service, action (operation) and outcome (ok, melding, replay, fault:<code>).");
  for (const auto& s : services_)
    for (std::size_t o = 0; o < s->operations.size(); ++o)
      for (std::size_t k = 0; k < kOutcomes.size(); ++k)
        if (auto v = s->requests[o * kOutcomes.size() + k].load(relaxed))
          sample(out, "edugate_requests_total", {{"service", s->name}, {"action", s->operations[o]}, {"outcome", kOutcomes[k]}},
                 static_cast<double>(v));

  family(out, "edugate_request_duration_seconds", "histogram",
         "Time from a request's last byte read to its answer (queue wait, processing, store commit), by service.");
  for (const auto& s : services_) {
    // The count is the +Inf bucket, read once, so the two always agree.
    std::array<std::uint64_t, kLatencyBuckets.size() + 1> b{};
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < b.size(); ++i) count += b[i] = s->buckets[i].load(relaxed);
    if (count == 0 && s->name == "unknown") continue;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      cumulative += b[i];
      std::string le = i < kLatencyBuckets.size() ? number(kLatencyBuckets[i]) : "+Inf";
      sample(out, "edugate_request_duration_seconds_bucket", {{"service", s->name}, {"le", le}}, static_cast<double>(cumulative));
    }
    sample(out, "edugate_request_duration_seconds_sum", {{"service", s->name}},
           static_cast<double>(s->duration_us.load(relaxed)) / 1e6);
    sample(out, "edugate_request_duration_seconds_count", {{"service", s->name}}, static_cast<double>(count));
  }

  family(out, "edugate_tls_handshake_failures_total", "counter", "TLS handshakes that failed, by reason.");
  for (std::size_t i = 0; i < kTlsFailureReasons.size(); ++i)
    sample(out, "edugate_tls_handshake_failures_total", {{"reason", kTlsFailureReasons[i]}},
           static_cast<double>(tls_failures_[i].load(relaxed)));

  family(out, "edugate_http_refused_total", "counter",
         "HTTP requests refused at the service listener before the pipeline: too_large (413), head_too_large (431), "
         "method (405), the framing and Host reasons (400).");
  for (std::size_t i = 0; i < kHttpRefusals.size(); ++i)
    sample(out, "edugate_http_refused_total", {{"reason", kHttpRefusals[i]}}, static_cast<double>(http_refusals_[i].load(relaxed)));

  family(out, "edugate_connections_refused_total", "counter",
         "Connections to the service listener closed at accept because a cap bit (http.max_connections, "
         "max_connections_per_address, max_pending_handshakes), by cap.");
  for (std::size_t i = 0; i < kConnectionRefusals.size(); ++i)
    sample(out, "edugate_connections_refused_total", {{"cap", kConnectionRefusals[i]}},
           static_cast<double>(connection_refusals_[i].load(relaxed)));
  family(out, "edugate_connections_open", "gauge", "TLS connections open on the service listener.");
  sample(out, "edugate_connections_open", {}, static_cast<double>(connections_open.load(relaxed)));
  family(out, "edugate_requests_in_flight", "gauge", "Requests read and not yet answered (queued or processing).");
  sample(out, "edugate_requests_in_flight", {}, static_cast<double>(requests_in_flight.load(relaxed)));
}

namespace prom {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {  // HELP escapes backslash and newline only
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, const std::vector<std::pair<std::string_view, std::string_view>>& labels,
            double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out += ',';
      first = false;
      out += k;
      out += "=\"";
      for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
      }
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += number(value);
  out += '\n';
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (std::fabs(v) < 1e15 && v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.6f", v);
  std::string s(buf);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace prom
}  // namespace edugate::gateway
