// The registry cache on its own (store/registry_cache.h): answers kept until an emptying, an
// answer read across an emptying dropped, the change counter, the bound on its size.
#include "store/registry_cache.h"

#include <gtest/gtest.h>

using namespace edugate;
using namespace edugate::store;

namespace {
const Oin kSchool = *Oin::parse("0000000700025BE00000");
Party school(PartyStatus status) { return {kSchool, "ROC", PartyKind::school, status, ""}; }
}  // namespace

TEST(RegistryCache, KeepsPositiveAndNegativeAnswersUntilEmptied) {
  RegistryCache cache;
  std::uint64_t g = 0;
  EXPECT_FALSE(cache.party(kSchool.str(), g));
  cache.put_party(kSchool.str(), school(PartyStatus::actief), g);
  cache.put_party("00000003123456780000", std::nullopt, g);
  cache.put_flag("a x leerbedrijf", false, g);
  auto hit = cache.party(kSchool.str(), g);
  ASSERT_TRUE(hit);
  ASSERT_TRUE(*hit);
  EXPECT_EQ((*hit)->status, PartyStatus::actief);
  auto unknown = cache.party("00000003123456780000", g);
  ASSERT_TRUE(unknown) << "an unknown party is an answer too";
  EXPECT_FALSE(*unknown);
  EXPECT_EQ(cache.flag("a x leerbedrijf", g), std::optional<bool>(false));
  EXPECT_EQ(cache.size(), 3u);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.party(kSchool.str(), g));
  EXPECT_FALSE(cache.flag("a x leerbedrijf", g));
}

TEST(RegistryCache, AnAnswerReadAcrossAnEmptyingIsDropped) {
  RegistryCache cache;
  std::uint64_t before = 0;
  EXPECT_FALSE(cache.party(kSchool.str(), before));
  cache.clear();  // a write committed while the row was being read
  cache.put_party(kSchool.str(), school(PartyStatus::actief), before);
  cache.put_flag("a x leerbedrijf", true, before);
  std::uint64_t g = 0;
  EXPECT_FALSE(cache.party(kSchool.str(), g)) << "the answer may predate the write: not kept";
  EXPECT_FALSE(cache.flag("a x leerbedrijf", g));
  cache.put_party(kSchool.str(), school(PartyStatus::geschorst), g);
  EXPECT_TRUE(cache.party(kSchool.str(), g));
}

TEST(RegistryCache, EmptiesWhenTheChangeCounterMoves) {
  RegistryCache cache;
  EXPECT_FALSE(cache.observe(7)) << "the first reading only sets the counter";
  std::uint64_t g = 0;
  (void)cache.party(kSchool.str(), g);
  cache.put_party(kSchool.str(), school(PartyStatus::actief), g);
  EXPECT_FALSE(cache.observe(7));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.observe(8));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.observe(8));
}

TEST(RegistryCache, StaysWithinItsBound) {
  RegistryCache cache(4);
  std::uint64_t g = 0;
  for (int i = 0; i < 10; ++i) {
    (void)cache.flag("k" + std::to_string(i), g);
    cache.put_flag("k" + std::to_string(i), true, g);
    EXPECT_LE(cache.size(), 4u);
  }
}
