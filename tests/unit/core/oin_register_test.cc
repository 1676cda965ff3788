#include "core/oin_register.h"

#include <gtest/gtest.h>

#include <string>

using namespace edugate;

// The OIN-stelsel's forms (Logius, OIN Stelsel, "Samenstelling OIN" and the prefix table).
TEST(OinRegister, EachRegisterHasItsForm) {
  for (const char* good : {"00000003273785290000",   // KvK: 00000003 + 8 digits + 0000 (PKIoverheid G4, new OINs)
                           "00000001822477348000",   // RSIN: 00000001 + 9 digits + 000 (older OINs)
                           "00000002003214394000",   // fiscaal nummer
                           "00000004194049711000",   // SubOIN
                           "00000006123456789000",   // Logius
                           "0000000700025BE00000",   // onderwijs: 000 + BRIN + 00000
                           "00000008A1B2C3D4E000",   // foreign: the register's own number
                           "00000009123456780000",   // UZI/Dezi
                           "00000010123456789000", "00000011123456789000",
                           "00000099000000000042"})  // test: anything
    EXPECT_TRUE(check_oin_form(*Oin::parse(good))) << good << ": " << check_oin_form(*Oin::parse(good)).error().message;
  auto why = [](const char* oin) { return check_oin_form(*Oin::parse(oin)).error().message; };
  EXPECT_EQ(why("0000000312345ABC0000"),
            "KvK-nummer 12345ABC is geen getal van 8 cijfers; een OIN met prefix 00000003 is 00000003 + KvK-nummer (8 "
            "cijfers) + 0000");
  EXPECT_EQ(why("00000003123456780001"),
            "OIN eindigt op 0001, niet op 0000; een OIN met prefix 00000003 is 00000003 + KvK-nummer (8 cijfers) + 0000");
  EXPECT_EQ(why("00000003123456789000").substr(0, 33), "OIN eindigt op 9000, niet op 0000")
      << "an RSIN-shaped number under the KvK prefix";
  EXPECT_EQ(why("0000000112345678A000"),
            "RSIN 12345678A is geen getal van 9 cijfers; een OIN met prefix 00000001 is 00000001 + RSIN (9 cijfers) + 000");
  EXPECT_EQ(why("00000001123456789001").substr(0, 31), "OIN eindigt op 001, niet op 000");
  EXPECT_EQ(why("00000002A23456789000").substr(0, 40), "fiscaal nummer A23456789 is geen getal v");
  EXPECT_EQ(why("00000007000ABCD00000"),
            "000ABCD00000 is niet 000 + BRIN + 00000; een OIN met prefix 00000007 is 00000007 + 000 + BRIN (2 cijfers, 2 "
            "hoofdletters) + 00000");
  EXPECT_EQ(why("0000000700025BE00001").substr(0, 39), "00025BE00001 is niet 000 + BRIN + 00000");
  EXPECT_EQ(why("00000004194049711001").substr(0, 31), "OIN eindigt op 001, niet op 000");
  for (const char* unknown : {"00000005123456789000", "00000000123456789000", "00000012123456789000", "12345678123456789000"}) {
    const auto m = why(unknown);
    EXPECT_EQ(m.rfind("OIN-prefix " + std::string(unknown, 8) + " is geen OIN-register (bekend: 00000001 RSIN, ", 0), 0u) << m;
    EXPECT_NE(m.find("00000003 KvK-nummer"), std::string::npos) << m;
    EXPECT_NE(m.find("00000007 onderwijs (BRIN)"), std::string::npos) << m;
    EXPECT_NE(m.find("00000099 test)"), std::string::npos) << m;
  }
  // The school OIN that school_oin() makes is of its form.
  EXPECT_TRUE(check_oin_form(school_oin(*Brin::parse("30GR"))));
}
