#pragma once
// The admin listener: plain HTTP on a port of its own (loopback unless configured otherwise;
// never the service port, which is mutual TLS only), for probes and monitoring:
//   GET /healthz  200 while the process runs its event loop
//   GET /readyz   200 when the store answers, the own certificate is valid for more than
//                 admin.min_cert_days and every CRL is in force; else 503 with the failing
//                 checks (JSON); 503 also once a graceful shutdown has begun
//   GET /metrics  Prometheus text format 0.0.4: the Metrics counters plus gauges read on
//                 scrape (outbox per destination, certificate expiry, CRL age, process)
// It serves identifiers and numbers only, never message content. Checks that touch the store
// or files run on a thread of the admin's own, neither on the event loop nor on the request
// workers: a full worker pool must not hide the metrics that would show it.
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "gateway/ops/config.h"
#include "gateway/ops/metrics.h"
#include "security/tls_reload.h"
#include "store/store.h"

namespace edugate::gateway {

class Admin {
 public:
  Admin(boost::asio::io_context& ioc, const Config& config, Metrics& metrics, store::Store& store,
        std::shared_ptr<security::TlsContexts> tls);
  ~Admin();
  // Binds admin.address:admin.port; throws std::runtime_error when it cannot.
  void start();
  void stop();
  unsigned short port() const;
  // From now on /readyz answers 503 ("shutting_down"): load balancers stop sending new work.
  void set_draining();

  struct Check {
    std::string name;  // store | certificate | crls | shutting_down
    bool ok = true;
    std::string detail;
  };
  // Blocking (store, files): call off the event loop.
  std::vector<Check> readiness() const;
  std::string metrics_text() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace edugate::gateway
