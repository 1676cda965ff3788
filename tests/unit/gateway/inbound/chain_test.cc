// The inbound chain's order is written once (gateway/inbound/chain.cc); the README's flow
// picture and docs/DESIGN.md must name the same stages in the same order.
#include "gateway/inbound/chain.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace edugate::gateway;

namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(EDUGATE_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> chain_names() {
  std::vector<std::string> v;
  for (const auto& e : inbound_chain()) v.emplace_back(e.name);
  return v;
}

// Every match of `re`'s first group in `text`, in order.
std::vector<std::string> all(const std::string& text, const std::regex& re) {
  std::vector<std::string> v;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) v.push_back((*it)[1]);
  return v;
}

// The section of a markdown file from a heading to the next heading of the same level.
std::string section(const std::string& md, const std::string& heading) {
  auto at = md.find(heading);
  if (at == std::string::npos) return {};
  auto next = md.find("\n## ", at + heading.size());
  return md.substr(at, next == std::string::npos ? std::string::npos : next - at);
}

}  // namespace

TEST(InboundChain, EveryStageHasItsFileAndItsRules) {
  ASSERT_FALSE(inbound_chain().empty());
  std::set<std::string_view> names;
  for (const auto& e : inbound_chain()) {
    EXPECT_TRUE(names.insert(e.name).second) << "stage named twice: " << e.name;
    EXPECT_FALSE(e.rules.empty()) << e.name;
    EXPECT_FALSE(e.codes.empty()) << e.name;  // catalogue entries (core/rules.h)
    const std::string file = "gateway/inbound/stages/" + std::string(e.file);
    EXPECT_TRUE(std::filesystem::exists(std::string(EDUGATE_SOURCE_DIR) + "/" + file)) << file;
    // The stage's file says in its first line which stage it is.
    EXPECT_NE(read(file).find("// Stage " + std::string(e.name) + ":"), std::string::npos) << file;
  }
  EXPECT_EQ(inbound_chain().front().name, "identity");
  EXPECT_EQ(inbound_chain().back().name, "commit");  // durable before answered
}

TEST(InboundChain, TheReadmeFlowPictureNamesTheChainInOrder) {
  const std::string flow = section(read("README.md"), "## How a request flows");
  ASSERT_FALSE(flow.empty());
  EXPECT_EQ(all(flow, std::regex("─► ([a-z_]+):")), chain_names());
}

TEST(InboundChain, DesignMdListsTheChainInOrder) {
  const std::string chain = section(read("docs/DESIGN.md"), "## The inbound chain");
  ASSERT_FALSE(chain.empty());
  // Table rows: | n | `name` | `gateway/inbound/stages/file` | rules |
  EXPECT_EQ(all(chain, std::regex("\\n\\| *[0-9]+ *\\| *`([a-z_]+)`")), chain_names());
  for (const auto& e : inbound_chain())
    EXPECT_NE(chain.find("`gateway/inbound/stages/" + std::string(e.file) + "`"), std::string::npos) << e.file;
}

TEST(InboundChain, DescribeListsTheStagesInOrder) {
  EXPECT_EQ(describe_chain().rfind("identity → endpoint → ", 0), 0u);
  EXPECT_NE(describe_chain().find("idempotency → service → commit"), std::string::npos);
}
