// The logger's batching (gateway/ops/log.cc, log.batch_ms): under load lines leave in few writes,
// every line once and in order; warn and above at once, behind what was buffered; without a
// batch every line when it is made. stderr is pointed at a file for each test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "gateway/ops/log.h"

using namespace edugate::gateway;

namespace {

// stderr into a fresh file while it lives.
class StderrToFile {
 public:
  StderrToFile() {
    char tmpl[] = "/tmp/edugate-log-XXXXXX";
    int fd = mkstemp(tmpl);
    path_ = tmpl;
    saved_ = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~StderrToFile() {
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    unlink(path_.c_str());
  }
  std::string text() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<nlohmann::json> lines() const {
    std::vector<nlohmann::json> out;
    std::istringstream in(text());
    for (std::string l; std::getline(in, l);) out.push_back(nlohmann::json::parse(l));
    return out;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

bool within_a_second(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

}  // namespace

TEST(Log, BatchedLinesLeaveInFewWritesEachOnceAndInOrder) {
  StderrToFile err;
  jlog::setup("info", 5);
  const auto writes_before = jlog::stderr_writes();
  constexpr int kThreads = 4, kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) jlog::info("batched", {{"thread", t}, {"i", i}});
    });
  for (auto& th : threads) th.join();
  spdlog::default_logger()->flush();
  const auto writes = jlog::stderr_writes() - writes_before;
  jlog::set_batch_ms(0);
  std::vector<int> next(kThreads, 0);
  int n = 0;
  for (const auto& j : err.lines()) {
    if (j.value("event", "") != "batched") continue;
    const int t = j["thread"].get<int>();
    EXPECT_EQ(j["i"].get<int>(), next[static_cast<std::size_t>(t)]) << "thread " << t << "'s lines in order, none lost or doubled";
    next[static_cast<std::size_t>(t)] = j["i"].get<int>() + 1;
    ++n;
  }
  EXPECT_EQ(n, kThreads * kLines);
  EXPECT_LT(writes, static_cast<std::uint64_t>(kThreads * kLines / 10)) << "a write carries many lines, not one each";
}

TEST(Log, AWarningLeavesAtOnceBehindTheLinesBeforeIt) {
  StderrToFile err;
  jlog::setup("info", 1000);  // the info line alone would wait a second
  jlog::info("first");
  jlog::warn("second");
  const auto lines = err.lines();  // no flush, no wait
  ASSERT_EQ(lines.size(), 2u) << err.text();
  EXPECT_EQ(lines[0]["event"], "first");
  EXPECT_EQ(lines[1]["event"], "second");
  jlog::set_batch_ms(0);
}

TEST(Log, ABatchedLineLeavesWithoutAFlush) {
  StderrToFile err;
  jlog::setup("info", 2);
  jlog::info("alone");
  EXPECT_TRUE(within_a_second([&] { return err.text().find("\"event\":\"alone\"") != std::string::npos; }));
  jlog::set_batch_ms(0);
}

TEST(Log, WithoutABatchEveryLineIsWrittenWhenMade) {
  StderrToFile err;
  jlog::setup("info", 0);
  const auto before = jlog::stderr_writes();
  jlog::info("one");
  EXPECT_NE(err.text().find("\"event\":\"one\""), std::string::npos);
  jlog::info("two");
  EXPECT_NE(err.text().find("\"event\":\"two\""), std::string::npos);
  EXPECT_EQ(jlog::stderr_writes() - before, 2u);
}
