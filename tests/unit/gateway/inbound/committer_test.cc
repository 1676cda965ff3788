// The group committer: every completion handed over is committed before its answer is
// released; a failed commit releases every answer of its batch as not durable.
#include "gateway/inbound/committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/backend_error.h"
#include "store/sqlite_store.h"

namespace edugate::gateway {
namespace {

const Oin kSchool = *Oin::parse("0000000700025BE00000");

store::Completion completion(store::Store& s, const std::string& body) {
  auto id = new_message_id();
  EXPECT_EQ(s.claim_message(kSchool, id, "h", 1000, 60000).kind, store::ClaimKind::fresh);
  store::AuditRecord a;
  a.direction = "in";
  a.message_id = id.str();
  a.result = "ok";
  return store::Completion{kSchool, id, "h", {200, body}, a};
}

TEST(Committer, EveryAnswerIsReleasedAfterItsCommitAndIsThenReplayable) {
  auto dir = std::filesystem::temp_directory_path() / ("committer-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    store::SqliteStore s((dir / "s.db").string());
    std::vector<store::Completion> done_ones;
    std::mutex mu;
    std::atomic<int> durable{0};
    {
      Committer committer(s);
      std::vector<std::thread> workers;
      for (int t = 0; t < 4; ++t)
        workers.emplace_back([&, t] {
          for (int i = 0; i < 50; ++i) {
            auto c = completion(s, "answer " + std::to_string(t) + "/" + std::to_string(i));
            committer.submit(c, [&, c](bool ok) {
              // Durable when released: a new claim of the same message is a replay now.
              auto again = s.claim_message(c.sender, c.message_id, "h", 2000, 60000);
              EXPECT_TRUE(ok);
              EXPECT_EQ(again.kind, store::ClaimKind::replay);
              EXPECT_EQ(again.stored.body, c.response.body);
              ++durable;
            });
          }
        });
      for (auto& w : workers) w.join();
    }  // the destructor commits what is still queued
    EXPECT_EQ(durable.load(), 200);
    EXPECT_EQ(s.audit_records(0, 1000).size(), 200u);
  }
  std::filesystem::remove_all(dir);
}

// A store whose commits fail: every answer of the batch is released as not durable.
class FailingStore : public store::SqliteStore {
 public:
  using SqliteStore::SqliteStore;
  void complete_messages(const std::vector<store::Completion>&) override { throw BackendUnavailable("disk full"); }
};

TEST(Committer, AFailedCommitReleasesItsAnswersAsNotDurable) {
  auto dir = std::filesystem::temp_directory_path() / ("committer-fail-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    FailingStore s((dir / "s.db").string());
    std::atomic<int> failed{0};
    {
      Committer committer(s);
      for (int i = 0; i < 10; ++i)
        committer.submit(completion(s, "x"), [&](bool ok) { failed += ok ? 0 : 1; });
    }
    EXPECT_EQ(failed.load(), 10);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace edugate::gateway
