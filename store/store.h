#pragma once
// store::Store: the gateway's own durable state: the onboarding registry, the message store
// (idempotency and replay), and the audit log (Logboek dataverwerkingen). Thread-safe.
// Failures to reach the database throw edugate::BackendUnavailable (answered as DK0051).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"

namespace edugate::store {

enum class PartyKind { school, vendor, sbb };
enum class PartyStatus { actief, geschorst };
const char* to_string(PartyKind);
const char* to_string(PartyStatus);
Result<PartyKind> parse_party_kind(std::string_view);
Result<PartyStatus> parse_party_status(std::string_view);

struct Party {
  Oin oin;
  std::string naam;
  PartyKind kind = PartyKind::school;
  PartyStatus status = PartyStatus::actief;
  std::string endpoint;  // https URL for pushes to this party; empty if none
  bool require_signature = false;  // WS-Security: its requests must be signed, our pushes to it are
};

struct Agreement {
  Oin party;
  std::string service;  // leerbedrijf | praktijkloket | bpvmonitor | bpvmonitor-studentgegevens ...
};

struct Mandate {
  Oin vendor;
  Oin school;
  std::string service;
};

// One record per processed message (edukoppeling.md §7). No payload content.
struct AuditRecord {
  std::int64_t time_ms = 0;       // unix ms UTC, when the message arrived
  std::string direction;          // in | out
  std::string sender_oin;         // TLS identity of the sender (may be empty if unknown)
  std::string on_behalf_of_oin;   // wsa:From OIN when a vendor acts for a school, else empty
  std::string receiver_oin;
  std::string service, action;
  std::string message_id, relates_to;
  std::string result;             // ok | melding:<code> | fault:<code>
  std::int64_t duration_us = 0;
  std::string cert_serial;        // hex serial of the sender's TLS certificate
};

struct StoredResponse {
  int http_status = 200;
  std::string body;
};

enum class ClaimKind {
  fresh,        // first time seen: process it, then complete_message or release_message
  replay,       // seen with the same content: answer `stored` again, unprocessed
  conflict,     // seen with different content: refuse (DK0011)
  in_progress,  // another worker is processing it right now: answer DK0051 (retry later)
};
struct Claim {
  ClaimKind kind = ClaimKind::fresh;
  StoredResponse stored;  // for replay
};

// A processed message's answer and audit record, to be made durable before it is answered.
struct Completion {
  Oin sender;
  MessageId message_id;
  std::string content_hash;  // as claimed
  StoredResponse response;
  AuditRecord audit;
};

// A message SBB -> school, committed before any attempt to send it. Per destination, messages
// are sent in id order: only the oldest pending one of a destination is due.
struct OutboxMessage {
  std::int64_t id = 0;
  std::string destination_oin;
  std::string endpoint;           // https base URL of the destination's gateway
  std::string service, operation; // schoolontvangst, OntvangMonitorresultaten
  std::string body;               // the request element (XML); the envelope is built per attempt
  std::string message_id;         // fixed for every attempt: the receiver deduplicates on it
  std::string state = "pending";  // pending | sent | dead
  int attempts = 0;
  std::int64_t created_ms = 0, next_attempt_ms = 0, sent_ms = 0;
  std::string last_error;
  std::string claimed_by;         // the sender instance holding it (outbox_claim), until lease_until
  std::int64_t lease_until = 0;
};

// Per destination, for monitoring (the admin's /metrics).
struct OutboxStats {
  std::string destination_oin;
  std::int64_t pending = 0;
  std::int64_t oldest_pending_created_ms = 0;  // 0 when nothing is pending
  std::int64_t dead = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- registry ---
  virtual std::optional<Party> find_party(const Oin&) = 0;
  virtual void upsert_party(const Party&) = 0;
  virtual std::vector<Party> parties() = 0;
  virtual bool has_agreement(const Oin& party, std::string_view service) = 0;
  virtual void set_agreement(const Oin& party, std::string_view service, bool present) = 0;
  virtual std::vector<Agreement> agreements() = 0;
  virtual bool has_mandate(const Oin& vendor, const Oin& school, std::string_view service) = 0;
  virtual void set_mandate(const Oin& vendor, const Oin& school, std::string_view service, bool present) = 0;
  virtual std::vector<Mandate> mandates() = 0;
  // Saves parties (upsert), agreements and mandates (added) together: one transaction where the
  // store has them, so a refused or interrupted apply leaves the registry as it was.
  virtual void apply_registry(const std::vector<Party>& parties, const std::vector<Agreement>& agreements,
                              const std::vector<Mandate>& mandates);

  // --- message store (idempotency key: sender OIN + MessageID) ---
  // content_hash: hex SHA-256 of the canonical content. A claim left in progress longer than
  // lease_ms (a crashed worker) may be claimed again.
  virtual Claim claim_message(const Oin& sender, const MessageId& id, std::string_view content_hash,
                              std::int64_t now_ms, std::int64_t lease_ms) = 0;
  // Stores the response and the audit record in one transaction (durable when it returns).
  virtual void complete_message(const Oin& sender, const MessageId& id, const StoredResponse& response,
                                const AuditRecord& audit) = 0;
  // Several completions in one transaction: one durable commit for all (group commit). On
  // failure none is stored and every claim of the batch is released; the error is thrown.
  virtual void complete_messages(const std::vector<Completion>& batch);
  // Forgets an unfinished claim (the request faulted; nothing was stored), writing its audit record.
  virtual void release_message(const Oin& sender, const MessageId& id, const AuditRecord& audit) = 0;
  // Deletes completed messages (and records of sent messages) older than the retention.
  // Returns the number of completed messages deleted.
  virtual int purge_messages(std::int64_t older_than_ms) = 0;

  // --- messages this gateway sends for internal systems (relay, JSON bridge) ---
  // Records (sender OIN, MessageID) -> content_hash durably before the message is sent, atomic
  // across threads and instances: one MessageID never leaves as two different messages.
  // fresh: first time; same: a retry of the same content (send again: the receiver replays);
  // conflict: the MessageID went out with other content. Kept for the message retention.
  enum class Sent { fresh, same, conflict };
  virtual Sent record_sent(const Oin& sender, const MessageId& id, std::string_view content_hash,
                           std::int64_t now_ms) = 0;

  // --- outbox ---
  virtual std::int64_t outbox_enqueue(const OutboxMessage& m) = 0;
  // The oldest pending message of each destination whose next attempt is due and that nobody
  // holds, at most `limit` (a read-only view).
  virtual std::vector<OutboxMessage> outbox_due(std::int64_t now_ms, int limit) = 0;
  // Claims what outbox_due would return for `owner` until now + lease_ms: no other caller gets a
  // claimed message (nor a later one of its destination) until it is marked sent or failed, or the
  // lease runs out (its owner died: another instance then sends it, with the same MessageID).
  // Safe for several instances on one store (PostgreSQL: FOR UPDATE SKIP LOCKED).
  virtual std::vector<OutboxMessage> outbox_claim(std::int64_t now_ms, int limit, std::int64_t lease_ms,
                                                  const std::string& owner) = 0;
  // Gives `owner`'s claimed, unsent messages back at once (an orderly stop).
  virtual void outbox_unclaim(const std::string& owner) = 0;
  virtual void outbox_sent(std::int64_t id, std::int64_t now_ms) = 0;
  // After a failed attempt: schedule the next one, or give up (dead) when `dead` is set.
  virtual void outbox_failed(std::int64_t id, int attempts, std::int64_t next_attempt_ms, const std::string& error,
                             bool dead) = 0;
  // The newest `limit` messages in a state ("" = all), oldest first.
  virtual std::vector<OutboxMessage> outbox_list(const std::string& state, int limit) = 0;
  virtual std::optional<OutboxMessage> outbox_get(std::int64_t id) = 0;
  // A dead (or pending) message is tried again now, with a fresh retry budget.
  virtual bool outbox_retry(std::int64_t id, std::int64_t now_ms) = 0;

  // --- small durable counters (e.g. the last erkenning mutation pushed) ---
  virtual std::optional<std::int64_t> counter(const std::string& name) = 0;
  virtual void set_counter(const std::string& name, std::int64_t value) = 0;
  // Enqueues messages and moves a counter in one transaction, only if the counter still has
  // the expected value (compare-and-set): no push is lost or doubled, whoever else pumps.
  virtual bool outbox_enqueue_with_counter(const std::vector<OutboxMessage>& ms, const std::string& counter,
                                           std::optional<std::int64_t> expected, std::int64_t value) = 0;

  // --- audit ---
  virtual void append_audit(const AuditRecord&) = 0;
  virtual std::vector<AuditRecord> audit_records(std::int64_t since_ms, int limit) = 0;

  // --- operations (the admin's /readyz and /metrics) ---
  // A cheap read that reaches the database; throws when it cannot.
  virtual void ping() { (void)counter("edugate.ping"); }
  // Pending and dead messages per destination. This default reads the lists (correct, not
  // cheap); a store overrides it with one aggregate query.
  virtual std::vector<OutboxStats> outbox_stats();
};

}  // namespace edugate::store
