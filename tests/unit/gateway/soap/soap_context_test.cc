// The gSOAP context's number format (issue 16 point 6): xs:double written with the precision the
// data has, in the XSD's lexical forms.
#include "gateway/soap/soap_context.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "gateway/services/mappings.h"

using namespace edugate;
using namespace edugate::gateway;

namespace {
std::string written(double v) {
  SoapScope s;
  return soap_double2s(s.get(), v);
}

// xs:double's lexical space (XML Schema 1.0 part 2, 3.2.5.1).
bool is_xsd_double(const std::string& t) {
  if (t == "NaN" || t == "INF" || t == "-INF") return true;
  std::size_t i = 0, mantissa = 0;
  auto digit = [&](std::size_t k) { return k < t.size() && t[k] >= '0' && t[k] <= '9'; };
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  for (; digit(i); ++i) ++mantissa;
  if (i < t.size() && t[i] == '.')
    for (++i; digit(i); ++i) ++mantissa;
  if (!mantissa) return false;
  if (i < t.size() && (t[i] == 'E' || t[i] == 'e')) {
    if (++i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == t.size();
}
}  // namespace

TEST(SoapContext, DoublesAreWrittenWithThePrecisionOfTheData) {
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& [value, text] : std::vector<std::pair<double, std::string>>{
           {7.8, "7.8"},  // gSOAP's default %.17lG: 7.7999999999999998
           {0.1, "0.1"},
           {3.7, "3.7"},
           {4.25, "4.25"},
           {12.3, "12.3"},
           {300.0, "300"},
           {0.0, "0"},
           {-2.5, "-2.5"},
           {0.1 + 0.2, "0.3"},  // 15 significant digits: the binary sum's tail is not data
           {0.0001, "0.0001"},
           {1e-7, "1E-07"},  // xs:double has exponents (an xs:decimal would not)
           {123456789.5, "123456789.5"},
           {1e14, "100000000000000"},
           {1e20, "1E+20"},
           {std::numeric_limits<double>::max(), "1.79769313486232E+308"},
           {std::nan(""), "NaN"},  // the XSD's spellings, not printf's nan and inf
           {inf, "INF"},
           {-inf, "-INF"}}) {
    EXPECT_EQ(written(value), text) << value;
    EXPECT_TRUE(is_xsd_double(written(value))) << written(value);
  }
}

TEST(SoapContext, EveryDecimalOfUpToFifteenDigitsIsWrittenAsItself) {
  // The data's means and distances are rounded to one decimal: 0.0 .. 999.9 all come back as typed.
  for (int tenths = 0; tenths < 10000; ++tenths) {
    char text[32];
    std::snprintf(text, sizeof text, tenths % 10 ? "%d.%d" : "%d", tenths / 10, tenths % 10);
    ASSERT_EQ(written(std::strtod(text, nullptr)), text);
  }
  for (const char* t : {"123456789012345", "1234567.89012345", "0.000123456789012345", "98765.4321"})
    EXPECT_EQ(written(std::strtod(t, nullptr)), t);
}

TEST(SoapContext, AMonitorResultsPushCarriesTheMeansAsTheDataHasThem) {
  bpvmonitor::Resultaten r;
  r.cellen.push_back({"begeleiding", "student", 12, false, 7.8, 3.7});
  r.cellen.push_back({"afspraken", "student", 12, false, 4.1, 0.3});
  const auto xml = mapping::monitorresultaten_push(*Brin::parse("25BE"), *Periode::parse("2026-K1"), r);
  for (const char* mean : {">7.8<", ">3.7<", ">4.1<", ">0.3<"}) EXPECT_NE(xml.find(mean), std::string::npos) << mean << xml;
  EXPECT_EQ(xml.find("99999"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("00000"), std::string::npos) << xml;
}
