#pragma once
// The network edge: Asio accept, TLS handshake with a required client certificate, HTTP/1.1
// keep-alive with a body limit (413 before the body is read) and header/body/idle timeouts.
// Parsing and processing run on the worker pool; the event loop only moves bytes.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>

#include "gateway/committer.h"
#include "gateway/config.h"
#include "gateway/pipeline.h"
#include "security/tls_reload.h"

namespace edugate::gateway {

class Listener {
 public:
  // committer: answers are made durable by it (group commit); without one, each by its worker.
  Listener(boost::asio::io_context& ioc, const Config& config, std::shared_ptr<security::TlsContexts> tls, Pipeline& pipeline,
           boost::asio::thread_pool& workers, Committer* committer = nullptr);
  ~Listener();
  // Binds and starts accepting; throws std::runtime_error when the address cannot be bound.
  void start();
  void stop();
  unsigned short port() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace edugate::gateway
