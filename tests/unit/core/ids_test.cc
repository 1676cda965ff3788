#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

using namespace edugate;

TEST(Oin, AcceptsTwentyCharactersOfDigitsAndCapitals) {
  EXPECT_TRUE(Oin::parse("00000003273785290000"));
  EXPECT_TRUE(Oin::parse("0000000700025BE00000"));
}

TEST(Oin, RefusesWrongLengthLowercaseAndNonNumericPrefix) {
  EXPECT_FALSE(Oin::parse(""));
  EXPECT_FALSE(Oin::parse("0000000700025BE0000"));
  EXPECT_FALSE(Oin::parse("0000000700025BE000000"));
  EXPECT_FALSE(Oin::parse("0000000700025be00000"));
  EXPECT_FALSE(Oin::parse("A0000007000025BE0000"));
  EXPECT_FALSE(Oin::parse("0000000700025BE0000\n"));
  EXPECT_FALSE(Oin::parse(std::string("0000000700025BE0000\0", 20)));
}

TEST(Oin, ParseErrorsSayWhatIsWrong) {
  EXPECT_EQ(Oin::parse("0000000700025BE0000").error().message, "OIN heeft 19 tekens, niet 20");
  EXPECT_EQ(Oin::parse("").error().message, "OIN heeft 0 tekens, niet 20");
  EXPECT_EQ(Oin::parse("0000000700025be00000").error().message, "OIN bevat 'b' op positie 14: alleen 0-9 en A-Z");
  EXPECT_EQ(Oin::parse("0000000700025BE0000\n").error().message, "OIN bevat teken 0x0A op positie 20: alleen 0-9 en A-Z");
  EXPECT_EQ(Oin::parse("0000000700025 E00000").error().message, "OIN bevat teken 0x20 op positie 14: alleen 0-9 en A-Z");
  EXPECT_EQ(Oin::parse("A0000007000025BE0000").error().message, "OIN-prefix A0000007 is niet numeriek");
  EXPECT_EQ(Oin::parse("12").error().field, "OIN");
}

TEST(Brin, FormAndSchoolOin) {
  auto b = Brin::parse("25BE");
  ASSERT_TRUE(b);
  EXPECT_EQ(school_oin(*b).str(), "0000000700025BE00000");
  EXPECT_EQ(oin_register(school_oin(*b)), "00000007");
  for (const char* bad : {"25be", "2BEE", "25B", "25BEX", "AB25", ""}) EXPECT_FALSE(Brin::parse(bad)) << bad;
}

TEST(LeerbedrijfId, NineDigitsInRange) {
  EXPECT_TRUE(LeerbedrijfId::parse("100000000"));
  EXPECT_TRUE(LeerbedrijfId::parse("999999999"));
  EXPECT_FALSE(LeerbedrijfId::parse("099999999"));
  EXPECT_FALSE(LeerbedrijfId::parse("12345678"));
  EXPECT_FALSE(LeerbedrijfId::parse("1234567890"));
  EXPECT_FALSE(LeerbedrijfId::parse("12345678a"));
  auto e = LeerbedrijfId::parse("x");
  EXPECT_EQ(e.error().field, "LeerbedrijfID");
}

TEST(Crebo, FiveDigits) {
  EXPECT_TRUE(Crebo::parse("25180"));
  EXPECT_FALSE(Crebo::parse("2518"));
  EXPECT_FALSE(Crebo::parse("25180 "));
  EXPECT_FALSE(Crebo::parse("2518A"));
}

TEST(KvkAndVestiging, Digits) {
  EXPECT_TRUE(KvkNummer::parse("12345678"));
  EXPECT_FALSE(KvkNummer::parse("1234567"));
  EXPECT_TRUE(Vestigingsnummer::parse("000012345678"));
  EXPECT_FALSE(Vestigingsnummer::parse("12345678"));
}

TEST(MessageId, UrnUuidRfc4122) {
  auto m = MessageId::parse("urn:uuid:2F1E5D8C-3B4A-4C5D-9E6F-7A8B9C0D1E2F");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->str(), "urn:uuid:2f1e5d8c-3b4a-4c5d-9e6f-7a8b9c0d1e2f");  // stored lower-case
  EXPECT_EQ(MessageId::parse("uuid:2f1e5d8c-3b4a-4c5d-9e6f-7a8b9c0d1e2f").error().code, "EK0023");
  EXPECT_FALSE(MessageId::parse("urn:uuid:2f1e5d8c3b4a4c5d9e6f7a8b9c0d1e2f"));
  EXPECT_FALSE(MessageId::parse("urn:uuid:2f1e5d8c-3b4a-4c5d-7e6f-7a8b9c0d1e2f"));  // variant not 10xx
  EXPECT_FALSE(MessageId::parse("urn:uuid:2f1e5d8c-3b4a-4c5d-9e6f-7a8b9c0d1e2g"));
  EXPECT_FALSE(MessageId::parse("urn:uuid:"));
}

TEST(MessageId, FreshOnesAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto m = new_message_id();
    EXPECT_TRUE(MessageId::parse(m.str()));
    seen.insert(m.str());
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Datum, CalendarDatesOnly) {
  EXPECT_TRUE(Datum::parse("2024-02-29"));
  EXPECT_FALSE(Datum::parse("2023-02-29"));
  EXPECT_FALSE(Datum::parse("2023-13-01"));
  EXPECT_FALSE(Datum::parse("2023-1-01"));
  EXPECT_FALSE(Datum::parse("20230101"));
  EXPECT_FALSE(Datum::parse("2023-01-01Z"));
}

TEST(Datum, DayArithmeticRoundTrips) {
  auto d = *Datum::parse("2026-11-23");
  EXPECT_EQ(civil_from_days(days_from_civil(d)).str(), "2026-11-23");
  EXPECT_EQ(civil_from_days(days_from_civil(d) - 21).str(), "2026-11-02");
  EXPECT_EQ(civil_from_days(days_from_civil(*Datum::parse("2024-03-01")) - 1).str(), "2024-02-29");
  EXPECT_EQ(days_from_civil(*Datum::parse("1970-01-01")), 0);
}

TEST(Leerweg, BolAndBblOnly) {
  EXPECT_EQ(*parse_leerweg("BOL"), Leerweg::BOL);
  EXPECT_EQ(*parse_leerweg("BBL"), Leerweg::BBL);
  EXPECT_FALSE(parse_leerweg("bol"));
  EXPECT_FALSE(parse_leerweg("BOLX"));
}
