#pragma once
// The gateway's counters for Prometheus (text exposition format 0.0.4), without a library.
// Every label set is fixed at start-up: services and their operations from the contracts,
// outcomes and TLS failure reasons from closed lists (anything else counts as "other"), so a
// caller cannot grow the series, and the hot path is a lookup in immutable tables plus an
// atomic increment. Gauges read on scrape (store, certificates, CRLs) are the admin's job.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/soap/contract.h"

namespace edugate::gateway {

class Metrics {
 public:
  // Upper bounds of the request latency buckets, in seconds (and +Inf).
  static constexpr std::array<double, 12> kLatencyBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  // served: the contracts of the services this gateway answers (their operations become the
  // values of the "action" label).
  explicit Metrics(const std::vector<ServiceContract>& served);

  // One answered request. service: contract name or "" (unknown path); operation: the
  // contract's operation name or "" (not known yet); result as in the audit record: ok,
  // melding:<code>, replay, fault:<code> ("fault:" for an internal error).
  void request(std::string_view service, std::string_view operation, std::string_view result,
               std::chrono::microseconds duration);
  // The service a request path belongs to ("" if none): for answers the listener gives itself.
  std::string_view service_of_path(std::string_view path) const;
  // reason: one of kTlsFailureReasons, anything else counts as "other".
  void tls_handshake_failure(std::string_view reason);
  // An HTTP request refused before the pipeline: one of kHttpRefusals (strict::kReasons), else "other".
  void http_refused(std::string_view reason);

  // A connection closed at accept because a cap bit: one of kConnectionRefusals.
  void connection_refused(std::string_view reason);

  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::int64_t> requests_in_flight{0};

  // Appends the families above in the text format.
  void render(std::string& out) const;

  static const std::vector<std::string_view> kOutcomes;
  static const std::vector<std::string_view> kTlsFailureReasons;
  static const std::vector<std::string_view> kHttpRefusals;
  static const std::vector<std::string_view> kConnectionRefusals;

 private:
  struct ServiceSlot {
    std::string name;                          // label value ("unknown" for the catch-all)
    std::string path;
    std::vector<std::string> operations;       // label values; the last one is "unknown"
    std::map<std::string, std::size_t, std::less<>> op_index;
    std::unique_ptr<std::atomic<std::uint64_t>[]> requests;  // [operation][outcome]
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // not cumulative
    std::atomic<std::uint64_t> duration_us{0};
  };
  std::size_t service_index(std::string_view name) const;
  static std::size_t outcome_index(std::string_view result);

  std::vector<std::unique_ptr<ServiceSlot>> services_;  // the last one is "unknown"
  std::unique_ptr<std::atomic<std::uint64_t>[]> tls_failures_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> http_refusals_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> connection_refusals_;
};

// Text-format helpers for the admin's gauges.
namespace prom {
// `# HELP` and `# TYPE` lines.
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help);
// name{k="v",…} value. Label values are escaped (\\, \", \n).
void sample(std::string& out, std::string_view name, const std::vector<std::pair<std::string_view, std::string_view>>& labels,
            double value);
std::string number(double v);
}  // namespace prom

}  // namespace edugate::gateway
