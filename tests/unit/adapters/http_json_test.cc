// The http_json adapter's pieces on their own: the circuit breaker's state machine (time passed
// in), the settings' validation (every error names its key) and the wire shapes (round trips, and
// malformed input as WireError naming the member, never its value).
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "adapters/http_json/circuit_breaker.h"
#include "adapters/http_json/config.h"
#include "adapters/http_json/wire.h"

using namespace edugate;
using namespace edugate::adapters::http_json;
using namespace std::chrono_literals;
using State = CircuitBreaker::State;

namespace {
const auto t0 = CircuitBreaker::Clock::time_point{} + 1000s;

void fail(CircuitBreaker& cb, CircuitBreaker::Clock::time_point now) {
  auto p = cb.allow(now);
  ASSERT_TRUE(p);
  cb.record(p, false, now);
}
}  // namespace

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresOnly) {
  CircuitBreaker cb(3, 1000ms);
  fail(cb, t0);
  fail(cb, t0);
  auto p = cb.allow(t0);
  cb.record(p, true, t0);  // a success in between starts the count again
  EXPECT_EQ(cb.consecutive_failures(), 0);
  fail(cb, t0);
  fail(cb, t0);
  EXPECT_EQ(cb.state(), State::closed);
  fail(cb, t0);
  EXPECT_EQ(cb.state(), State::open);
  EXPECT_FALSE(cb.allow(t0 + 999ms));
}

TEST(CircuitBreaker, HalfOpenLetsExactlyOneTrialThrough) {
  CircuitBreaker cb(1, 1000ms);
  fail(cb, t0);
  EXPECT_FALSE(cb.allow(t0 + 500ms));
  auto trial = cb.allow(t0 + 1000ms);
  ASSERT_TRUE(trial);
  EXPECT_TRUE(trial.trial);
  EXPECT_EQ(cb.state(), State::half_open);
  EXPECT_FALSE(cb.allow(t0 + 1001ms));  // the trial is still in flight
  EXPECT_FALSE(cb.allow(t0 + 5000ms));
  cb.record(trial, true, t0 + 1100ms);
  EXPECT_EQ(cb.state(), State::closed);
  EXPECT_TRUE(cb.allow(t0 + 1100ms));
}

TEST(CircuitBreaker, FailedTrialOpensForAFreshCooldown) {
  CircuitBreaker cb(2, 1000ms);
  fail(cb, t0);
  fail(cb, t0);
  auto trial = cb.allow(t0 + 1000ms);
  ASSERT_TRUE(trial.trial);
  cb.record(trial, false, t0 + 1200ms);
  EXPECT_EQ(cb.state(), State::open);
  EXPECT_FALSE(cb.allow(t0 + 2100ms));  // counted from the failed trial, not the first opening
  EXPECT_TRUE(cb.allow(t0 + 2200ms).trial);
}

TEST(CircuitBreaker, LateOutcomesOfEarlierRequestsDoNotDecide) {
  CircuitBreaker cb(1, 1000ms);
  auto early = cb.allow(t0);  // sent while closed, answered after the circuit opened
  fail(cb, t0);
  ASSERT_EQ(cb.state(), State::open);
  cb.record(early, true, t0 + 10ms);
  EXPECT_EQ(cb.state(), State::open);
  auto trial = cb.allow(t0 + 1000ms);
  cb.record(early, false, t0 + 1001ms);
  EXPECT_EQ(cb.state(), State::half_open);
  cb.record(trial, true, t0 + 1002ms);
  EXPECT_EQ(cb.state(), State::closed);
}

namespace {
std::string settings_error(const std::string& yaml) {
  try {
    parse_settings(adapters::AdapterContext{YAML::Load(yaml), "/tmp"}, "leerbedrijf");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(HttpJsonSettings, ValidSettingsAreRead) {
  ::setenv("EDUGATE_TEST_BACKEND_TOKEN", "s3cret", 1);
  auto s = parse_settings(adapters::AdapterContext{YAML::Load("url: http://backend.sbb:8080/api/\ntimeout_ms: 1500\n"
                                                             "retries: 1\nbackoff_ms: 10\n"
                                                             "circuit_breaker: {failures: 4, cooldown_ms: 2000}\n"
                                                             "auth: {token_env: EDUGATE_TEST_BACKEND_TOKEN}\n"),
                                                   ""},
                          "leerbedrijf");
  EXPECT_FALSE(s.https);
  EXPECT_EQ(s.host, "backend.sbb");
  EXPECT_EQ(s.port, "8080");
  EXPECT_EQ(s.base_path, "/api");
  EXPECT_EQ(s.timeout_ms, 1500);
  EXPECT_EQ(s.retries, 1);
  EXPECT_EQ(s.circuit_failures, 4);
  EXPECT_EQ(s.circuit_cooldown_ms, 2000);
  EXPECT_EQ(s.auth_header, "Authorization");
  EXPECT_EQ(s.auth_value, "Bearer s3cret");
  auto t = parse_settings(adapters::AdapterContext{YAML::Load("url: https://[::1]"), ""}, "bpvmonitor");
  EXPECT_TRUE(t.https);
  EXPECT_EQ(t.host, "::1");
  EXPECT_EQ(t.port, "443");
}

TEST(HttpJsonSettings, EveryErrorNamesItsKey) {
  ::unsetenv("EDUGATE_TEST_NO_SUCH_TOKEN");
  EXPECT_NE(settings_error("timeout_ms: 5").find("'url' is required"), std::string::npos);
  EXPECT_NE(settings_error("url: ftp://x").find("'url' must start with http:// or https://"), std::string::npos);
  EXPECT_NE(settings_error("url: http://x:99999").find("'url' has an invalid port"), std::string::npos);
  EXPECT_NE(settings_error("url: http://user:pw@x").find("'url' must not carry credentials"), std::string::npos);
  EXPECT_NE(settings_error("url: http://x\ntimeout_ms: soon").find("'timeout_ms' must be an integer"), std::string::npos);
  EXPECT_NE(settings_error("url: http://x\ntimeout_ms: 0").find("'timeout_ms' must be between"), std::string::npos);
  EXPECT_NE(settings_error("url: http://x\nretries: 11").find("'retries' must be between"), std::string::npos);
  EXPECT_NE(settings_error("url: http://x\ncircuit_breaker: {failures: 0}").find("'circuit_breaker.failures'"),
            std::string::npos);
  EXPECT_NE(settings_error("url: http://x\ncircuit_breaker: {cooldown: 5}").find("unknown key 'circuit_breaker.cooldown'"),
            std::string::npos);
  EXPECT_NE(settings_error("url: http://x\ntimeout: 5").find("unknown key 'timeout'"), std::string::npos);
  EXPECT_NE(settings_error("url: http://x\ntls: {ca_file: ca.pem}").find("'tls' applies to an https:// url only"),
            std::string::npos);
  EXPECT_NE(settings_error("url: https://x\ntls: {ca_file: /nonexistent/ca.pem}").find("'tls.ca_file' names a file"),
            std::string::npos);
  EXPECT_NE(settings_error("url: http://x\nauth: {token_env: EDUGATE_TEST_NO_SUCH_TOKEN}").find("'auth.token_env'"),
            std::string::npos);
  EXPECT_NE(settings_error("url: http://x\nauth: {header: 'X Bad', token_env: HOME}").find("'auth.header'"), std::string::npos);
  // The service is named too, so an operator finds the block.
  EXPECT_NE(settings_error("url: ftp://x").find("services.leerbedrijf.settings"), std::string::npos);
}

TEST(HttpJsonWire, VerifieerRoundTrip) {
  leerbedrijf::VerifieerAntwoord a;
  a.erkend = true;
  a.signaal_code = "ERKEND";
  a.begindatum = *Datum::parse("2024-08-01");
  a.meldingen.push_back({"LB-INFO", Ernst::informatie, "let op", "Crebo"});
  json j = a;
  EXPECT_EQ(j["begindatum"], "2024-08-01");
  EXPECT_EQ(j["meldingen"][0]["ernst"], "informatie");
  EXPECT_FALSE(j.contains("einddatum"));
  auto back = j.get<leerbedrijf::VerifieerAntwoord>();
  EXPECT_TRUE(back.erkend);
  EXPECT_EQ(back.begindatum->str(), "2024-08-01");
  EXPECT_EQ(back.meldingen.at(0).veld, "Crebo");
  EXPECT_EQ(back.meldingen.at(0).ernst, Ernst::informatie);
}

TEST(HttpJsonWire, DetailsRoundTripKeepsEveryList) {
  leerbedrijf::Details d{{*LeerbedrijfId::parse("100000001"), "Bakkerij", *KvkNummer::parse("12345678"), std::nullopt,
                          {"Straat", "1", "1234AB", "Enschede"}, 2.5},
                         "053", "https://x", {}, {}, {}};
  d.erkenningen.push_back({*Crebo::parse("25180"), "Bakker", Leerweg::BBL, *Datum::parse("2020-01-01"), std::nullopt,
                           leerbedrijf::ErkenningStatus::erkend});
  d.praktijkopleiders.push_back({"100000001-PO1", "P. Opleider", "chef", "po@example.org"});
  d.leerplaatsen.push_back({*Crebo::parse("25180"), Leerweg::BOL, 3, 1});
  json j = leerbedrijf::DetailsAntwoord{d, {}};
  auto back = j.get<leerbedrijf::DetailsAntwoord>();
  ASSERT_TRUE(back.leerbedrijf);
  EXPECT_EQ(back.leerbedrijf->samenvatting.id.str(), "100000001");
  EXPECT_EQ(back.leerbedrijf->samenvatting.afstand_km, 2.5);
  EXPECT_EQ(back.leerbedrijf->erkenningen.at(0).leerweg, Leerweg::BBL);
  EXPECT_EQ(back.leerbedrijf->praktijkopleiders.at(0).id, "100000001-PO1");
  EXPECT_EQ(back.leerbedrijf->leerplaatsen.at(0).beschikbaar, 1);
}

TEST(HttpJsonWire, PdfAndLogoTravelAsBase64) {
  std::string bytes("%PDF-1.4\0\x01\xff", 11);
  json j = praktijkloket::Pdf{bytes};
  EXPECT_EQ(j.get<praktijkloket::Pdf>().bytes, bytes);
  EXPECT_THROW((json{{"pdf", "not*base64"}}.get<praktijkloket::Pdf>()), WireError);
}

TEST(HttpJsonWire, MalformedMembersNameThePathNotTheValue) {
  auto error = [](const json& j) {
    try {
      (void)wire::as<leerbedrijf::IdentificeerAntwoord>(j, "");
    } catch (const WireError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  json ok = {{"leerbedrijven", {{{"id", "100000001"}, {"naam", "A"}}}}};
  EXPECT_EQ(error(ok), "no error");
  json bad_id = {{"leerbedrijven", {{{"id", "secret-value-123"}, {"naam", "A"}}}}};
  std::string e = error(bad_id);
  EXPECT_NE(e.find("/leerbedrijven/0/id"), std::string::npos) << e;
  EXPECT_EQ(e.find("secret-value-123"), std::string::npos) << e;
  EXPECT_NE(error({{"leerbedrijven", {{{"id", "100000001"}}}}}).find("/leerbedrijven/0/naam: missing"), std::string::npos);
  EXPECT_NE(error({{"leerbedrijven", "x"}}).find("/leerbedrijven: not an array"), std::string::npos);
  EXPECT_NE(error({{"meldingen", {{{"code", "X"}, {"ernst", "ernstig"}}}}}).find("/meldingen/0/ernst"), std::string::npos);
  EXPECT_NE(error(json::array()).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error({{"leerbedrijven", {{{"id", 100000001}, {"naam", "A"}}}}}).find("/leerbedrijven/0/id: not a string"),
            std::string::npos);
}
