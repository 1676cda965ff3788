// Reliability rules of edukoppeling.md §6 that can be shown from outside: a store that cannot
// commit gives the retryable DK0051 (never an answer that is not durable), and the same
// MessageID then succeeds.
#include <gtest/gtest.h>

#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fx = edugate::adapters::db::fixtures;

TEST(Reliability, StoreThatCannotCommitGivesRetryableDK0051ThenTheSameMessageIdSucceeds) {
  Provider p;
  const std::string req = std::string(R"({"LeerbedrijfID":")") + fx::kErkendId + R"(","Crebo":")" + fx::kErkendCrebo +
                          R"(","Leerweg":"BOL"})";
  // Another process holds the store's write lock longer than the gateway's busy timeout.
  gateway::SendOptions o;
  o.message_id = new_message_id();
  Result<gateway::Exchange> ex = make_error("TEST", "not sent");
  {
    StoreLock lock(p);
    ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req, o);
  }
  ASSERT_TRUE(ex) << ex.error().message;
  EXPECT_TRUE(ex->is_fault);
  EXPECT_EQ(ex->fault_code, "DK0051");
  EXPECT_EQ(ex->faultcode, "soap:Server");
  auto again = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req, o);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->is_fault) << again->faultstring;
  EXPECT_EQ(again->relates_to, o.message_id->str());
}

TEST(Reliability, DK0051_WhenTheWorkQueueIsFullNewRequestsGetRetryableDK0051AtOnce) {
  ProviderOptions o;
  o.worker_threads = 1;
  o.max_queue = 1;
  Provider p(o);
  const std::string req = std::string(R"({"LeerbedrijfID":")") + fx::kErkendId + R"(","Crebo":")" + fx::kErkendCrebo +
                          R"(","Leerweg":"BOL"})";
  // Hold the store's write lock so the one worker is busy with the first request.
  auto lock = std::make_unique<StoreLock>(p);
  std::thread first([&] { (void)send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto t0 = std::chrono::steady_clock::now();
  auto second = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req);
  auto waited = std::chrono::steady_clock::now() - t0;
  lock.reset();
  first.join();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->fault_code, "DK0051");
  EXPECT_EQ(second->faultcode, "soap:Server");
  EXPECT_LT(waited, std::chrono::seconds(2)) << "refused at once, not queued behind the busy worker";
  auto later = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req);
  ASSERT_TRUE(later);
  EXPECT_FALSE(later->is_fault) << later->faultstring;
}

// PostgreSQL: a database that goes away mid-run gives the retryable DK0051 (not a hang, not a
// wrong answer), and the gateway reconnects by itself once it is back.
TEST(Reliability, ADatabaseThatGoesAwayGivesDK0051AndTheGatewayReconnects) {
  if (!use_postgres()) GTEST_SKIP() << "PostgreSQL variant only (pg.Reliability.*)";
  Provider p;
  const std::string req = std::string(R"({"LeerbedrijfID":")") + fx::kErkendId + R"(","Crebo":")" + fx::kErkendCrebo +
                          R"(","Leerweg":"BOL"})";
  auto first = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req);
  ASSERT_TRUE(first && !first->is_fault);
  sql::Target admin;
  admin.dialect = sql::Dialect::postgres;
  admin.dsn = pg_dsn("postgres");
  auto c = sql::open(admin);
  c->exec(("ALTER DATABASE " + p.pg_database() + " ALLOW_CONNECTIONS false").c_str());
  c->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + p.pg_database() +
           "' AND pid <> pg_backend_pid()");
  auto down = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req);
  ASSERT_TRUE(down) << down.error().message;
  EXPECT_TRUE(down->is_fault);
  EXPECT_EQ(down->fault_code, "DK0051");
  c->exec(("ALTER DATABASE " + p.pg_database() + " ALLOW_CONNECTIONS true").c_str());
  EXPECT_TRUE(eventually([&] {
    auto again = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", req);
    return again && !again->is_fault;
  }, 20000)) << p.log().substr(0, 3000);
  EXPECT_TRUE(p.alive());
}
