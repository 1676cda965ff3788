// What `edugate bench` sends: the URL, the request file (raw XML or JSON body), placeholders,
// and an envelope with the WS-A headers and a fresh MessageID per request.
#include "bench/request.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "security/xml_guard.h"

using namespace edugate;
using namespace edugate::bench;

namespace {

const std::string kContractDir = EDUGATE_CONTRACT_DIR;
const std::string kRequests = std::string(EDUGATE_SOURCE_DIR) + "/bench/requests/";

std::string temp_file(const std::string& text) {
  static int n = 0;
  auto path = std::filesystem::temp_directory_path() /
              ("edugate-bench-request-" + std::to_string(getpid()) + "-" + std::to_string(++n) + ".json");
  std::ofstream(path) << text;
  return path.string();
}

std::string between(const std::string& s, const std::string& open, const std::string& close) {
  auto a = s.find(open);
  if (a == std::string::npos) return {};
  a += open.size();
  return s.substr(a, s.find(close, a) - a);
}

}  // namespace

TEST(BenchTarget, ParsesHostPortAndPath) {
  auto t = parse_target("https://127.0.0.1:8443/edukoppeling/leerbedrijf/");
  EXPECT_EQ(t.host, "127.0.0.1");
  EXPECT_EQ(t.port, "8443");
  EXPECT_EQ(t.path, "/edukoppeling/leerbedrijf");
  auto d = parse_target("https://[::1]");
  EXPECT_EQ(d.host, "::1");
  EXPECT_EQ(d.port, "443");
  EXPECT_EQ(d.path, "");
  EXPECT_THROW(parse_target("http://127.0.0.1:80/"), std::runtime_error);
  EXPECT_THROW(parse_target("https://127.0.0.1:port/"), std::runtime_error);
}

TEST(BenchRequest, DatesAreRelativeToToday) {
  const auto today = *Datum::parse("2026-01-31");
  EXPECT_EQ(expand_dates("{{today}}/{{today+1}}/{{today-31}}/{{today+366}}", today),
            "2026-01-31/2026-02-01/2025-12-31/2027-02-01");
  EXPECT_EQ(expand_dates("no placeholders {{seq}}", today), "no placeholders {{seq}}");
  EXPECT_THROW(expand_dates("{{today*2}}", today), std::runtime_error);
  EXPECT_THROW(expand_dates("{{today+}}", today), std::runtime_error);
  EXPECT_THROW(expand_dates("{{today", today), std::runtime_error);
}

TEST(BenchRequest, EveryEnvelopeHasTheWsaHeadersAFreshMessageIdAndAUniqueSeq) {
  RequestTemplate t("leerbedrijf", "VerifieerErkenning", "urn:edugate:leerbedrijf:1:VerifieerErkenning", "/p",
                    "https://h:1/p?oin=00000003273785290000",
                    "http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000",
                    "<x:A xmlns:x=\"urn:x\"><x:K>{{seq}}</x:K><x:L>{{seq}}-b</x:L></x:A>");
  std::set<std::string> ids, keys;
  for (std::uint64_t i = 0; i < 3; ++i) {
    const std::string e = t.envelope(i);
    ASSERT_TRUE(security::parse_guarded(e)) << e;
    EXPECT_EQ(between(e, "<wsa:To>", "</wsa:To>"), "https://h:1/p?oin=00000003273785290000");
    EXPECT_EQ(between(e, "<wsa:Action>", "</wsa:Action>"), "urn:edugate:leerbedrijf:1:VerifieerErkenning");
    EXPECT_NE(e.find("<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000"),
              std::string::npos);
    ids.insert(between(e, "<wsa:MessageID>", "</wsa:MessageID>"));
    const std::string k = between(e, "<x:K>", "</x:K>");
    EXPECT_EQ(between(e, "<x:L>", "</x:L>"), k + "-b") << "one token per request, in every place";
    EXPECT_EQ(e.find("{{"), std::string::npos);
    keys.insert(k);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_TRUE(std::regex_match(*ids.begin(), std::regex("urn:uuid:[0-9a-f-]{36}")));
}

TEST(BenchRequest, TheSampleFilesLoad) {
  const Target target = parse_target("https://127.0.0.1:9/");
  auto v = RequestTemplate::load(kRequests + "verifieer-erkenning.json", kContractDir, target, std::nullopt);
  EXPECT_EQ(v.action(), "urn:edugate:leerbedrijf:1:VerifieerErkenning");
  EXPECT_EQ(v.path(), "/edukoppeling/leerbedrijf") << "no path in the URL: the service's own";
  EXPECT_NE(
      v.envelope(1).find("<wsa:To>https://127.0.0.1:9/edukoppeling/leerbedrijf?oin=00000003273785290000</wsa:To>"),
      std::string::npos);
  auto b = RequestTemplate::load(kRequests + "lever-studentgegevens-100.json", kContractDir, target, std::nullopt);
  EXPECT_EQ(b.service(), "bpvmonitor");
  EXPECT_EQ(b.operation(), "LeverStudentgegevensAan");
  const std::string e = b.envelope(7);
  std::size_t records = 0;
  for (auto at = e.find("<bpv:Studentgegeven>"); at != std::string::npos; at = e.find("<bpv:Studentgegeven>", at + 1))
    ++records;
  EXPECT_EQ(records, 100u);
  EXPECT_EQ(e.find("{{"), std::string::npos);
  EXPECT_NE(e.find("<bpv:Einddatum>" + civil_from_days(days_from_civil(today_utc()) + 31).str() + "</bpv:Einddatum>"),
            std::string::npos);
}

TEST(BenchRequest, AJsonBodyIsWrittenAsXmlAndFromDefaultsToTheCertificatesOin) {
  const std::string f =
      temp_file(R"({"service": "leerbedrijf", "action": "VerifieerErkenning", "to_oin": "00000003273785290000",
    "body": {"LeerbedrijfID": "100000001", "Crebo": "25180", "Leerweg": "BBL"}})");
  auto t = RequestTemplate::load(f, kContractDir, parse_target("https://127.0.0.1:9/x"),
                                 *Oin::parse("0000000700030GR00000"));
  const std::string e = t.envelope(0);
  EXPECT_EQ(t.path(), "/x");
  EXPECT_NE(e.find("LeerbedrijfID>100000001<"), std::string::npos) << e;
  EXPECT_NE(e.find("Leerweg>BBL<"), std::string::npos) << e;
  EXPECT_NE(e.find("anonymous?oin=0000000700030GR00000"), std::string::npos);
  std::filesystem::remove(f);
}

TEST(BenchRequest, AnUnusableFileIsRefusedNamingWhy) {
  auto refused = [](const std::string& text) {
    const std::string f = temp_file(text);
    std::string why;
    try {
      RequestTemplate::load(f, kContractDir, parse_target("https://127.0.0.1:9/"), std::nullopt);
    } catch (const std::runtime_error& e) {
      why = e.what();
    }
    std::filesystem::remove(f);
    return why;
  };
  EXPECT_NE(refused("not json").find("not JSON"), std::string::npos);
  EXPECT_NE(refused(R"({"service":"leerbedrijf","action":"Bestaatniet","to_oin":"00000003273785290000","body":"<a/>"})")
                .find("no operation"),
            std::string::npos);
  EXPECT_NE(
      refused(
          R"({"service":"leerbedrijf","action":"VerifieerErkenning","to_oin":"00000003273785290000","body":"<a/>"})")
          .find("from_oin"),
      std::string::npos);
  EXPECT_NE(
      refused(R"({"service":"leerbedrijf","action":"VerifieerErkenning","to_oin":"x","body":"<a/>"})").find("to_oin"),
      std::string::npos);
  EXPECT_NE(
      refused(R"({"service":"leerbedrijf","action":"VerifieerErkenning","to_oin":"00000003273785290000","bdy":"<a/>"})")
          .find("unknown key 'bdy'"),
      std::string::npos);
}
