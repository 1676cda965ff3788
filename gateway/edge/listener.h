#pragma once
// The network edge: Asio accept, TLS handshake with a required client certificate, HTTP/1.1
// keep-alive with a body limit (413 before the body is read) and header/body/idle timeouts;
// strict framing (edge/http_strict.h).
// Parsing and processing run on the worker pool; the event loop only moves bytes.
// Graceful shutdown: drain() stops accepting, closes connections that wait for a next request,
// and lets the ones in the middle of a request finish it, answered with Connection: close.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>

#include "gateway/inbound/committer.h"
#include "gateway/ops/config.h"
#include "gateway/ops/metrics.h"
#include "gateway/inbound/pipeline.h"
#include "security/tls_reload.h"

namespace edugate::gateway {

class Listener {
 public:
  // committer: answers are made durable by it (group commit); without one, each by its worker.
  // metrics: where connections, handshake failures and refusals are counted (may be null).
  Listener(boost::asio::io_context& ioc, const Config& config, std::shared_ptr<security::TlsContexts> tls, Pipeline& pipeline,
           boost::asio::thread_pool& workers, Committer* committer = nullptr, Metrics* metrics = nullptr);
  ~Listener();
  // Binds and starts accepting; throws std::runtime_error when the address cannot be bound.
  void start();
  // Stops accepting (the port is closed: new connections are refused).
  void stop();
  // stop(), and closes every connection that waits for a request without having sent a byte
  // of it; the others answer their request with Connection: close. Call again until
  // open_connections() is 0: connections that were busy are closed after their answer.
  void drain();
  std::size_t open_connections() const;
  unsigned short port() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace edugate::gateway
