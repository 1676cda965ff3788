#pragma once
// What the internal listener's relay and JSON bridge share: their answer, and the ledger that
// keeps one MessageID from ever leaving as two different messages.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "store/store.h"

namespace edugate::gateway {

struct HttpAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

enum class SentRecord {
  fresh,     // first time: send it
  same,      // sent before with the same content: a retry, send it again (the receiver replays)
  conflict,  // sent before with other content: refuse
};

// Records (sender OIN, MessageID) -> content hash durably, before the message is sent; atomic
// (compare-and-set), so two requests racing with one MessageID cannot both be fresh with
// different contents. Kept as a store counter named "sent:<OIN>:<MessageID>" holding 63 bits of
// the content's SHA-256 (docs/DESIGN.md "Relay and JSON bridge"). Throws what the store throws.
SentRecord record_sent(store::Store& store, const Oin& sender, const MessageId& id, std::string_view content);

}  // namespace edugate::gateway
