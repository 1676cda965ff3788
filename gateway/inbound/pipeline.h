#pragma once
// The inbound path of a service port, after TLS and HTTP framing: the chain of stages of
// chain.h (identity → … → commit), run in order over one InboundExchange per request. A stage that
// fails ends the chain with its fault: audited (the MessageID's claim released), signed when the
// request was, counted, and answered. Nothing past a failing stage runs.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/inbound/chain.h"
#include "gateway/inbound/exchange.h"
#include "gateway/ops/config.h"
#include "gateway/ops/metrics.h"
#include "gateway/services/service.h"
#include "gateway/soap/wss.h"
#include "store/store.h"

namespace edugate::gateway {

class Committer;

class Pipeline {
 public:
  // wss: WS-Security (signed requests verified, answers signed); without it a signed request is refused.
  // metrics: every answered request is counted there (by service, operation, outcome, duration).
  Pipeline(const Config& config, store::Store& store, std::vector<std::unique_ptr<Service>> services,
           std::shared_ptr<WsSecurity> wss = nullptr, Metrics* metrics = nullptr);
  ~Pipeline();
  // peer: the verified TLS client certificate's identity, or the error why there is none.
  // respond is called exactly once with the answer: at once, or, with a committer, on the
  // committer's thread once the answer is durable.
  void handle(const InboundRequest& req, const Result<security::PeerIdentity>& peer, Committer* committer,
              Responder respond);
  // The same, committing on this thread, and returning the answer.
  OutboundResponse process(const InboundRequest& req, const Result<security::PeerIdentity>& peer);
  // A fault answer without running the chain (overload, size limits): used by the listener.
  static OutboundResponse fault_response(const rules::Rule& fault, std::string message);

 private:
  void fail(InboundExchange& ex, const Error& e);

  const Config& config_;
  store::Store& store_;
  std::vector<std::unique_ptr<Service>> services_;
  std::shared_ptr<WsSecurity> wss_;
  Metrics* metrics_;
  std::map<std::string, Service*, std::less<>> by_path_;
  std::unique_ptr<ChainDeps> deps_;
  std::vector<std::unique_ptr<Stage>> stages_;  // in the order of inbound_chain()
};

}  // namespace edugate::gateway
