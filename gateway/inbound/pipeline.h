#pragma once
// The way of one inbound request, after TLS and HTTP framing (architecture.md): identity →
// XML guard → envelope → WS-A rules → authorization → idempotency → service → commit.
// Each step either passes or yields its fault; nothing past a failing step runs.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/ops/config.h"
#include "gateway/soap/envelope.h"
#include "gateway/ops/metrics.h"
#include "gateway/services/service.h"
#include "gateway/soap/wss.h"
#include "security/pki.h"
#include "store/store.h"

namespace edugate::gateway {

struct InboundRequest {
  std::string path;                       // target without query
  std::string content_type;
  std::optional<std::string> soap_action; // HTTP SOAPAction header, if sent
  std::string body;
  X509ChainPtr peer_chain;                // intermediates the TLS peer sent (WS-Security signer chain)
  std::chrono::steady_clock::time_point received{};  // last byte read (the latency metric counts the queue wait too)
};

struct OutboundResponse {
  int status = 200;
  std::string body;
  std::string content_type = "text/xml; charset=utf-8";
};

// A processed request whose answer still has to be made durable (`commit`) before it is sent.
// Without `commit`, `response` can be sent at once.
struct Processed {
  Processed() = default;
  Processed(OutboundResponse r) : response(std::move(r)) {}  // NOLINT: every early answer is one
  OutboundResponse response;
  std::optional<store::Completion> commit;
  OutHeaders reply;  // the request's reply headers
  // The answer when the commit failed: DK0051 (retry with the same MessageID), relating to the request.
  OutboundResponse commit_failed() const;
  // For the metrics, when `commit` is set: counted by Pipeline::count once the commit's outcome is known.
  struct Tally {
    std::string service, operation, result;
    std::chrono::steady_clock::time_point received{};
  } tally;
};

class Pipeline {
 public:
  // wss: WS-Security (signed requests verified, answers signed); without it a signed request is refused.
  // metrics: every answered request is counted there (by service, operation, outcome, duration).
  Pipeline(const Config& config, store::Store& store, std::vector<std::unique_ptr<Service>> services,
           std::shared_ptr<WsSecurity> wss = nullptr, Metrics* metrics = nullptr);
  // peer: the verified TLS client certificate's identity, or the error why there is none.
  // Processes the request and makes its answer durable before returning it.
  OutboundResponse process(const InboundRequest& req, const Result<security::PeerIdentity>& peer);
  // The same, leaving the durable commit to the caller (the listener hands it to a group committer).
  Processed handle(const InboundRequest& req, const Result<security::PeerIdentity>& peer);
  // Counts a request whose commit was left to the caller (handle), once durable or not.
  void count(const Processed& p, bool durable) const;
  // A fault answer without running the pipeline (overload, size limits): used by the listener.
  static OutboundResponse fault_response(bool client, const std::string& code, const std::string& message);

 private:
  // caller: the TLS identity's registry entry (provider role; checked active).
  Result<security::Authorization> authorize(const std::optional<store::Party>& caller, const Oin& tls_oin,
                                            const Oin& from_oin, const std::string& agreement);

  const Config& config_;
  store::Store& store_;
  std::vector<std::unique_ptr<Service>> services_;
  std::shared_ptr<WsSecurity> wss_;
  Metrics* metrics_;
  std::map<std::string, Service*, std::less<>> by_path_;
  std::vector<Oin> served_;
};

}  // namespace edugate::gateway
