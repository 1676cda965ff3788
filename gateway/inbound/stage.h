#pragma once
// A stage of the inbound chain: a name and one entry point over the exchange. A stage passes
// (ok), answers by itself (sets InboundExchange::answer: the chain stops there), or fails with the
// fault of the rule it checks: the chain stops and answers with that fault (Chain::fail).
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gateway/inbound/exchange.h"
#include "gateway/ops/config.h"

namespace edugate::gateway {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual Status run(InboundExchange& ex) = 0;
};

// What the stages are built from (each takes the part it needs).
struct ChainDeps {
  const Config& config;
  store::Store& store;
  const std::map<std::string, Service*, std::less<>>& by_path;
  WsSecurity* wss;  // null: signed requests are refused
  Metrics* metrics;
  std::vector<Oin> served;  // the OINs wsa:To may name
};

// The answer to a request with its signature when the request was signed [WB014]. When
// signing fails, an internal fault (audit result "fault:").
OutboundResponse seal(InboundExchange& ex, WsSecurity* wss, OutboundResponse r);

}  // namespace edugate::gateway
