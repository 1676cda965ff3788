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

// fresh: send it; same: sent before with the same content, a retry (the receiver replays);
// conflict: sent before with other content, refuse.
using SentRecord = store::Store::Sent;

// Records (sender OIN, MessageID) -> SHA-256 of the content durably, before the message is sent
// (Store::record_sent: atomic, so two requests racing with one MessageID cannot both be fresh
// with different contents; kept for the message retention). Throws what the store throws.
SentRecord record_sent(store::Store& store, const Oin& sender, const MessageId& id, std::string_view content);

}  // namespace edugate::gateway
