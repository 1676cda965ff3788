#pragma once
// The internal listener (consumer role): plain HTTP on a port of its own, loopback by default,
// or TLS (internal.tls, optionally with client certificates), for the school's or SIS vendor's
// own systems. Never the service port (mutual TLS only). HTTP/1.1 keep-alive: a connection
// waits internal.idle_timeout_ms for its next request; Connection: close is honoured.
//   POST /relay                        a whole SOAP 1.1 envelope, relayed (gateway/relay.h)
//   POST /v1/{service}/{operation}     the JSON bridge (gateway/bridge.h)
//   GET  /v1/openapi.json              the bridge's OpenAPI 3 document (generated at build time)
// Without internal.tls.client_ca it has no authentication of its own: whoever reaches it sends
// with this gateway's certificate, so keep it on loopback or an interface only the internal
// systems reach.
// A body above internal.max_body_bytes gets 413 before it is read; sending (which waits for
// the receiver) runs on the listener's own threads, never on the event loop.
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "gateway/outbound/bridge.h"
#include "gateway/ops/config.h"
#include "gateway/outbound/relay.h"
#include "security/tls_policy.h"

namespace edugate::gateway {

class Internal {
 public:
  Internal(boost::asio::io_context& ioc, const Config& config, Relay& relay, Bridge& bridge, std::string_view openapi_json);
  ~Internal();
  // Loads internal.tls (when configured) and binds internal.address:internal.port; throws
  // std::runtime_error when it cannot.
  void start();
  // Stops accepting (the port is closed: new connections are refused).
  void stop();
  // stop(), and closes every connection that waits for a request without having received a
  // byte of it; the others answer their request (also one still waiting for its receiver) with
  // Connection: close. Call again until open_connections() is 0.
  void drain();
  std::size_t open_connections() const;
  bool tls() const;
  unsigned short port() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace edugate::gateway
