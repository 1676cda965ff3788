#pragma once
// Exactly once across the backend (edukoppeling.md §6; docs/DESIGN.md "Exactly once across the
// backend"). The gateway's message store and a backend are separate databases: a write whose
// backend transaction committed just before a crash, while the gateway's answer had not yet
// committed, would run a second time on the resend. So every write reaches its backend with the
// message's idempotency key, and the backend records the key, the content's hash and the answer
// in the same transaction as the write. A resend with that key gets the recorded answer and
// writes nothing; a resend of the key with other content is DK0011.
#include <functional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/result.h"

namespace edugate {

// The idempotency key of one write: the sender's OIN (from its certificate) and the MessageID,
// with the hash the gateway's own idempotency check compares (action and canonical body).
struct WriteKey {
  Oin sender;
  MessageId message_id;
  std::string content_hash;
  // "<OIN>/<MessageID>": what a backend records, and the http_json adapter's Idempotency-Key.
  std::string str() const { return sender.str() + "/" + message_id.str(); }
};

// The answer of a write as the gateway sends it (the response element) and its audit result.
struct KeyedAnswer {
  std::string body_xml;
  std::string result;
};

// Implemented by every backend (the Backend interfaces of core/leerbedrijf.h, bpvmonitor.h and
// praktijkloket.h derive from it). Must be thread-safe.
class KeyedWrites {
 public:
  using Write = std::function<Result<KeyedAnswer>()>;
  virtual ~KeyedWrites() = default;
  // Runs `write`, which calls this backend's write methods and makes the answer, so that the
  // write and the record of `key` with its answer commit together, or neither does. A key
  // recorded before returns its answer and runs nothing; recorded with another content_hash:
  // DK0011. An error of `write` (a body the contract refuses) records nothing. A failing
  // backend throws BackendUnavailable, as its write methods do.
  virtual Result<KeyedAnswer> keyed(const WriteKey& key, std::string_view operation, const Write& write) = 0;
};

}  // namespace edugate
