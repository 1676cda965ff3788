#pragma once
// The inbound chain: the stages every request to a service port passes, in order. The order is
// written once, in chain.cc; the README's flow picture and docs/DESIGN.md are checked against
// it (tests/unit/gateway/inbound/chain_test.cc), and `edugate serve` logs it at start-up.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/rules.h"
#include "gateway/inbound/stage.h"

namespace edugate::gateway {

struct StageEntry {
  std::string_view name;   // as the README's flow picture and docs/DESIGN.md name it
  std::string_view file;   // where it lives, under gateway/inbound/stages/
  std::string_view rules;  // what it checks, in words
  std::span<const rules::Rule* const> codes;  // the catalogue's rules and fault codes it implements
  std::unique_ptr<Stage> (*make)(const ChainDeps&);
};

std::span<const StageEntry> inbound_chain();

// "identity → endpoint → … → commit"
std::string describe_chain();

}  // namespace edugate::gateway
