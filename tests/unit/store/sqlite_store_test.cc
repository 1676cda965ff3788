#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace edugate;
using namespace edugate::store;

namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edugate-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/store.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

const Oin kSchool = *Oin::parse("0000000700025BE00000");
const Oin kVendor = *Oin::parse("00000003123456780000");

AuditRecord audit(const std::string& mid, const std::string& result) {
  AuditRecord a;
  a.time_ms = 1000;
  a.direction = "in";
  a.sender_oin = kSchool.str();
  a.receiver_oin = "00000003273785290000";
  a.service = "leerbedrijf";
  a.action = "urn:a";
  a.message_id = mid;
  a.result = result;
  a.duration_us = 42;
  a.cert_serial = "1001";
  return a;
}

}  // namespace

TEST_F(StoreTest, PartiesAgreementsMandates) {
  SqliteStore s(path_);
  EXPECT_FALSE(s.find_party(kSchool));
  s.upsert_party({kSchool, "ROC", PartyKind::school, PartyStatus::actief, ""});
  s.upsert_party({kVendor, "SIS", PartyKind::vendor, PartyStatus::actief, "https://v"});
  auto p = s.find_party(kVendor);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->naam, "SIS");
  EXPECT_EQ(p->kind, PartyKind::vendor);
  EXPECT_EQ(p->endpoint, "https://v");
  s.upsert_party({kVendor, "SIS BV", PartyKind::vendor, PartyStatus::geschorst, ""});
  EXPECT_EQ(s.find_party(kVendor)->status, PartyStatus::geschorst);
  EXPECT_EQ(s.parties().size(), 2u);

  EXPECT_FALSE(s.has_agreement(kSchool, "leerbedrijf"));
  s.set_agreement(kSchool, "leerbedrijf", true);
  s.set_agreement(kSchool, "leerbedrijf", true);
  EXPECT_TRUE(s.has_agreement(kSchool, "leerbedrijf"));
  EXPECT_FALSE(s.has_agreement(kSchool, "bpvmonitor"));
  EXPECT_EQ(s.agreements().size(), 1u);
  s.set_agreement(kSchool, "leerbedrijf", false);
  EXPECT_FALSE(s.has_agreement(kSchool, "leerbedrijf"));

  s.set_mandate(kVendor, kSchool, "leerbedrijf", true);
  EXPECT_TRUE(s.has_mandate(kVendor, kSchool, "leerbedrijf"));
  EXPECT_FALSE(s.has_mandate(kVendor, kSchool, "praktijkloket"));
  EXPECT_FALSE(s.has_mandate(kSchool, kVendor, "leerbedrijf"));
  s.set_mandate(kVendor, kSchool, "leerbedrijf", false);
  EXPECT_FALSE(s.has_mandate(kVendor, kSchool, "leerbedrijf"));
}

TEST_F(StoreTest, ClaimFreshReplayConflictInProgress) {
  SqliteStore s(path_);
  auto mid = new_message_id();
  EXPECT_EQ(s.claim_message(kSchool, mid, "h1", 1000, 60000).kind, ClaimKind::fresh);
  EXPECT_EQ(s.claim_message(kSchool, mid, "h1", 2000, 60000).kind, ClaimKind::in_progress);
  EXPECT_EQ(s.claim_message(kSchool, mid, "h2", 2000, 60000).kind, ClaimKind::conflict);
  s.complete_message(kSchool, mid, {200, "<answer/>"}, audit(mid.str(), "ok"));
  auto r = s.claim_message(kSchool, mid, "h1", 3000, 60000);
  EXPECT_EQ(r.kind, ClaimKind::replay);
  EXPECT_EQ(r.stored.body, "<answer/>");
  EXPECT_EQ(r.stored.http_status, 200);
  EXPECT_EQ(s.claim_message(kSchool, mid, "h2", 3000, 60000).kind, ClaimKind::conflict);
  // The key is (sender, MessageID): another sender may use the same id.
  EXPECT_EQ(s.claim_message(kVendor, mid, "h9", 3000, 60000).kind, ClaimKind::fresh);
  auto records = s.audit_records(0, 10);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, mid.str());
  EXPECT_EQ(records[0].cert_serial, "1001");
  EXPECT_EQ(records[0].duration_us, 42);
}

TEST_F(StoreTest, AClaimDiesWithItsProcess) {
  auto mid = new_message_id();
  {
    SqliteStore s(path_);
    EXPECT_EQ(s.claim_message(kSchool, mid, "h", 1000, 500).kind, ClaimKind::fresh);
    EXPECT_EQ(s.claim_message(kSchool, mid, "h", 1200, 500).kind, ClaimKind::in_progress);
    EXPECT_EQ(s.claim_message(kSchool, mid, "other", 1200, 500).kind, ClaimKind::conflict);
  }
  SqliteStore restarted(path_);  // nothing was answered: the message may be processed now
  EXPECT_EQ(restarted.claim_message(kSchool, mid, "h", 1300, 500).kind, ClaimKind::fresh);
}

TEST_F(StoreTest, GroupCommitStoresEveryCompletionOfTheBatch) {
  SqliteStore s(path_);
  std::vector<Completion> batch;
  for (int i = 0; i < 50; ++i) {
    auto mid = new_message_id();
    ASSERT_EQ(s.claim_message(kSchool, mid, "h" + std::to_string(i), 1000, 60000).kind, ClaimKind::fresh);
    batch.push_back(Completion{kSchool, mid, "h" + std::to_string(i), {200, "answer " + std::to_string(i)}, audit(mid.str(), "ok")});
  }
  s.complete_messages(batch);
  for (int i = 0; i < 50; ++i) {
    auto c = s.claim_message(kSchool, batch[i].message_id, "h" + std::to_string(i), 2000, 60000);
    EXPECT_EQ(c.kind, ClaimKind::replay);
    EXPECT_EQ(c.stored.body, "answer " + std::to_string(i));
    EXPECT_EQ(s.claim_message(kSchool, batch[i].message_id, "other", 2000, 60000).kind, ClaimKind::conflict);
  }
  EXPECT_EQ(s.audit_records(0, 100).size(), 50u);
}

TEST_F(StoreTest, ReleaseForgetsTheClaimAndAudits) {
  SqliteStore s(path_);
  auto mid = new_message_id();
  s.claim_message(kSchool, mid, "h", 1000, 60000);
  s.release_message(kSchool, mid, audit(mid.str(), "fault:DK0004"));
  EXPECT_EQ(s.claim_message(kSchool, mid, "other", 1000, 60000).kind, ClaimKind::fresh);
  EXPECT_EQ(s.audit_records(0, 10).at(0).result, "fault:DK0004");
}

TEST_F(StoreTest, PurgeByRetention) {
  SqliteStore s(path_);
  auto old_id = new_message_id(), new_id = new_message_id();
  s.claim_message(kSchool, old_id, "h", 0, 1);
  auto a = audit(old_id.str(), "ok");
  a.time_ms = 1000;
  s.complete_message(kSchool, old_id, {200, "x"}, a);
  s.claim_message(kSchool, new_id, "h", 0, 1);
  a.time_ms = 9000000;
  s.complete_message(kSchool, new_id, {200, "y"}, a);
  EXPECT_EQ(s.purge_messages(5000), 1);
  EXPECT_EQ(s.claim_message(kSchool, old_id, "h", 0, 1).kind, ClaimKind::fresh);
  EXPECT_EQ(s.claim_message(kSchool, new_id, "h", 0, 1).kind, ClaimKind::replay);
}

TEST_F(StoreTest, DurableAcrossReopen) {
  auto mid = new_message_id();
  {
    SqliteStore s(path_);
    s.upsert_party({kSchool, "ROC", PartyKind::school, PartyStatus::actief, ""});
    s.claim_message(kSchool, mid, "h", 1, 60000);
    s.complete_message(kSchool, mid, {200, "kept"}, audit(mid.str(), "ok"));
  }
  SqliteStore again(path_);
  EXPECT_TRUE(again.find_party(kSchool));
  EXPECT_EQ(again.claim_message(kSchool, mid, "h", 2, 60000).stored.body, "kept");
}

TEST_F(StoreTest, ConcurrentClaimsOnlyOneFresh) {
  SqliteStore s(path_);
  auto mid = new_message_id();
  std::atomic<int> fresh{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&] {
      if (s.claim_message(kSchool, mid, "h", 1000, 60000).kind == ClaimKind::fresh) ++fresh;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(fresh.load(), 1);
}

// One process owns a SQLite store (serve holds its lock file; several instances need
// PostgreSQL): its threads race for a MessageID and exactly one wins, before and after completion.
TEST_F(StoreTest, ConcurrentClaimsOfOneMessageOnlyOneFresh) {
  SqliteStore s(path_);
  for (int round = 0; round < 20; ++round) {
    auto mid = new_message_id();
    std::atomic<int> fresh{0}, replay{0}, in_progress{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&] {
        auto c = s.claim_message(kSchool, mid, "h", 1000, 60000);
        if (c.kind == ClaimKind::fresh) {
          ++fresh;
          s.complete_message(kSchool, mid, {200, "done"}, audit(mid.str(), "ok"));
        } else if (c.kind == ClaimKind::replay) {
          ++replay;
        } else if (c.kind == ClaimKind::in_progress) {
          ++in_progress;
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(fresh.load(), 1);
    EXPECT_EQ(fresh + replay + in_progress, 8);
  }
}

TEST_F(StoreTest, UnwritablePathIsBackendUnavailable) {
  EXPECT_ANY_THROW(SqliteStore("/proc/nope/store.db"));
}

namespace {
OutboxMessage push(const std::string& dest, const std::string& body, std::int64_t now) {
  OutboxMessage m;
  m.destination_oin = dest;
  m.endpoint = "https://127.0.0.1:1";
  m.service = "schoolontvangst";
  m.operation = "OntvangErkenningmutaties";
  m.body = body;
  m.message_id = new_message_id().str();
  m.created_ms = now;
  return m;
}
}  // namespace

TEST_F(StoreTest, OutboxHandsOutOnlyTheHeadOfEachDestinationInOrder) {
  SqliteStore s(path_);
  auto a1 = s.outbox_enqueue(push("A", "a1", 100));
  auto a2 = s.outbox_enqueue(push("A", "a2", 100));
  auto b1 = s.outbox_enqueue(push("B", "b1", 100));
  auto due = s.outbox_due(200, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].id, a1);
  EXPECT_EQ(due[1].id, b1);
  // A failed head blocks its own queue (order) but not the other destination.
  s.outbox_failed(a1, 1, 10000, "down", false);
  due = s.outbox_due(200, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, b1);
  s.outbox_sent(b1, 300);
  EXPECT_TRUE(s.outbox_due(300, 10).empty());
  due = s.outbox_due(10000, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, a1);
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[0].last_error, "down");
  s.outbox_sent(a1, 10001);
  due = s.outbox_due(10001, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, a2);
}

TEST_F(StoreTest, OutboxDeadLettersAndRetry) {
  SqliteStore s(path_);
  auto id = s.outbox_enqueue(push("A", "x", 100));
  auto next = s.outbox_enqueue(push("A", "y", 100));
  s.outbox_failed(id, 12, 200, "HTTP 500", true);
  EXPECT_EQ(s.outbox_get(id)->state, "dead");
  EXPECT_EQ(s.outbox_list("dead", 10).size(), 1u);
  // A dead message leaves the queue, so the next one of that school goes.
  auto due = s.outbox_due(300, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, next);
  EXPECT_TRUE(s.outbox_retry(id, 400));
  EXPECT_EQ(s.outbox_get(id)->state, "pending");
  EXPECT_EQ(s.outbox_get(id)->attempts, 0);
  s.outbox_sent(id, 500);
  EXPECT_FALSE(s.outbox_retry(id, 600)) << "a sent message is not sent again";
}

TEST_F(StoreTest, CountersAndEnqueueMoveTogether) {
  SqliteStore s(path_);
  EXPECT_FALSE(s.counter("c"));
  EXPECT_TRUE(s.outbox_enqueue_with_counter({push("A", "1", 1), push("B", "1", 1)}, "c", std::nullopt, 42));
  EXPECT_EQ(*s.counter("c"), 42);
  EXPECT_EQ(s.outbox_list("", 10).size(), 2u);
  // A second pump that read the old value enqueues nothing.
  EXPECT_FALSE(s.outbox_enqueue_with_counter({push("A", "2", 1)}, "c", std::nullopt, 43));
  EXPECT_FALSE(s.outbox_enqueue_with_counter({push("A", "2", 1)}, "c", 41, 43));
  EXPECT_EQ(s.outbox_list("", 10).size(), 2u);
  EXPECT_TRUE(s.outbox_enqueue_with_counter({push("A", "2", 1)}, "c", 42, 43));
}

TEST_F(StoreTest, OutboxStatsPerDestinationMatchTheGenericDefault) {
  SqliteStore s(path_);
  s.outbox_enqueue(push("A", "a1", 100));
  s.outbox_enqueue(push("A", "a2", 150));
  auto b1 = s.outbox_enqueue(push("B", "b1", 200));
  auto c1 = s.outbox_enqueue(push("C", "c1", 300));
  s.outbox_failed(b1, 12, 0, "down", true);  // dead
  s.outbox_sent(c1, 400);                     // sent: not counted
  auto stats = s.outbox_stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].destination_oin, "A");
  EXPECT_EQ(stats[0].pending, 2);
  EXPECT_EQ(stats[0].oldest_pending_created_ms, 100);
  EXPECT_EQ(stats[0].dead, 0);
  EXPECT_EQ(stats[1].destination_oin, "B");
  EXPECT_EQ(stats[1].pending, 0);
  EXPECT_EQ(stats[1].oldest_pending_created_ms, 0);
  EXPECT_EQ(stats[1].dead, 1);
  // The base class's default (for stores without their own query) says the same.
  auto generic = s.Store::outbox_stats();
  ASSERT_EQ(generic.size(), stats.size());
  for (std::size_t i = 0; i < stats.size(); ++i) {
    EXPECT_EQ(generic[i].destination_oin, stats[i].destination_oin);
    EXPECT_EQ(generic[i].pending, stats[i].pending);
    EXPECT_EQ(generic[i].oldest_pending_created_ms, stats[i].oldest_pending_created_ms);
    EXPECT_EQ(generic[i].dead, stats[i].dead);
  }
  EXPECT_NO_THROW(s.ping());
}

TEST_F(StoreTest, ANewThreadsFirstAccessDoesNotWaitForAnotherWriter) {
  SqliteStore s(path_);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto t0 = std::chrono::steady_clock::now();
  std::thread([&] { EXPECT_NO_THROW(s.ping()); }).join();  // a fresh connection: reads only
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
}
