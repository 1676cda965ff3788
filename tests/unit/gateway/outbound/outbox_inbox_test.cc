#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gateway/ops/config.h"
#include "gateway/outbound/inbox.h"
#include "gateway/outbound/outbox.h"

using namespace edugate::gateway;

TEST(Outbox, ExponentialBackoffWithJitterAndACap) {
  Config c;
  c.outbox_backoff_initial_ms = 1000;
  c.outbox_backoff_max_ms = 60000;
  EXPECT_EQ(OutboxSender::backoff_ms(c, 1, 0.0), 500);
  EXPECT_EQ(OutboxSender::backoff_ms(c, 1, 1.0), 1000);
  EXPECT_EQ(OutboxSender::backoff_ms(c, 2, 1.0), 2000);
  EXPECT_EQ(OutboxSender::backoff_ms(c, 4, 1.0), 8000);
  EXPECT_EQ(OutboxSender::backoff_ms(c, 30, 1.0), 60000);
  EXPECT_GE(OutboxSender::backoff_ms(c, 30, 0.0), 30000);
}

namespace {
std::string write_tmp(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / "edugate-inbox-unit";
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::ofstream(p) << content;
  return p.string();
}
}  // namespace

TEST(Inbox, CsvWithHeaderBecomesRecords) {
  auto p = write_tmp("a.csv",
                     "BpvoKenmerk;Brin;StudentAchternaam\n"
                     "K1;25BE;\"de Vries, Jan\"\n"
                     "K2;25BE;\"Sm\"\"it\"\n");
  auto r = Inbox::read_records(p);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ((*r)["Studentgegeven"].size(), 2u);
  EXPECT_EQ((*r)["Studentgegeven"][0]["StudentAchternaam"], "de Vries, Jan");
  EXPECT_EQ((*r)["Studentgegeven"][1]["StudentAchternaam"], "Sm\"it");
}

TEST(Inbox, BadFilesAreRefusedWithTheReason) {
  auto r = Inbox::read_records(write_tmp("b.csv", "A,B\n1,2,3\n"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("regel 2"), std::string::npos);
  EXPECT_FALSE(Inbox::read_records(write_tmp("c.csv", "")));
  EXPECT_FALSE(Inbox::read_records(write_tmp("d.json", "{not json")));
  EXPECT_FALSE(Inbox::read_records(write_tmp("e.json", "{\"x\": 1}")));
  auto ok = Inbox::read_records(write_tmp("f.json", "[{\"BpvoKenmerk\":\"K\"}]"));
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["Studentgegeven"][0]["BpvoKenmerk"], "K");
}
