// The metrics registry's text format and the JSON log lines' personal-data scrubber.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/ops/log.h"
#include "gateway/ops/metrics.h"

using namespace edugate::gateway;

namespace {
ServiceContract contract() {
  ServiceContract c;
  c.name = "leerbedrijf";
  c.path = "/edukoppeling/leerbedrijf";
  c.operations.push_back({"VerifieerErkenning", "", "", "", ""});
  return c;
}
}  // namespace

TEST(Metrics, CountsByServiceActionAndOutcomeWithBoundedLabels) {
  Metrics m({contract()});
  m.request("leerbedrijf", "VerifieerErkenning", "ok", std::chrono::microseconds(3000));
  m.request("leerbedrijf", "VerifieerErkenning", "melding:LB-ONBEKEND", std::chrono::microseconds(20000));
  m.request("leerbedrijf", "NietBestaand", "fault:DK0003", std::chrono::microseconds(100));
  m.request("leerbedrijf", "", "fault:XX9999", std::chrono::microseconds(100));
  m.request("", "", "fault:DK0002", std::chrono::microseconds(100));
  m.request("leerbedrijf", "VerifieerErkenning", "fault:", std::chrono::seconds(60));
  m.tls_handshake_failure("certificate_revoked");
  m.tls_handshake_failure("something new");
  std::string out;
  m.render(out);
  auto has = [&](const std::string& line) { return out.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has(R"(edugate_requests_total{service="leerbedrijf",action="VerifieerErkenning",outcome="ok"} 1)")) << out;
  EXPECT_TRUE(has(R"(edugate_requests_total{service="leerbedrijf",action="VerifieerErkenning",outcome="melding"} 1)"));
  EXPECT_TRUE(has(R"(edugate_requests_total{service="leerbedrijf",action="unknown",outcome="fault:DK0003"} 1)"));
  EXPECT_TRUE(has(R"(edugate_requests_total{service="leerbedrijf",action="unknown",outcome="other"} 1)"));
  EXPECT_TRUE(has(R"(edugate_requests_total{service="unknown",action="unknown",outcome="fault:DK0002"} 1)"));
  EXPECT_TRUE(has(R"(edugate_requests_total{service="leerbedrijf",action="VerifieerErkenning",outcome="fault:internal"} 1)"));
  EXPECT_TRUE(has(R"(edugate_request_duration_seconds_bucket{service="leerbedrijf",le="0.005"} 3)"));
  EXPECT_TRUE(has(R"(edugate_request_duration_seconds_bucket{service="leerbedrijf",le="0.025"} 4)"));
  EXPECT_TRUE(has(R"(edugate_request_duration_seconds_bucket{service="leerbedrijf",le="30"} 4)"));
  EXPECT_TRUE(has(R"(edugate_request_duration_seconds_bucket{service="leerbedrijf",le="+Inf"} 5)"));
  EXPECT_TRUE(has(R"(edugate_request_duration_seconds_count{service="leerbedrijf"} 5)"));
  EXPECT_TRUE(has(R"(edugate_request_duration_seconds_sum{service="leerbedrijf"} 60.0232)"));
  EXPECT_TRUE(has(R"(edugate_tls_handshake_failures_total{reason="certificate_revoked"} 1)"));
  EXPECT_TRUE(has(R"(edugate_tls_handshake_failures_total{reason="other"} 1)"));
  EXPECT_TRUE(has("# TYPE edugate_request_duration_seconds histogram"));
  EXPECT_EQ(m.service_of_path("/edukoppeling/leerbedrijf"), "leerbedrijf");
  EXPECT_EQ(m.service_of_path("/elders"), "");
}

TEST(Metrics, LabelValuesAreEscaped) {
  std::string out;
  prom::sample(out, "x", {{"issuer", "CN=a \"b\"\\c\nd"}}, 1.5);
  EXPECT_EQ(out, "x{issuer=\"CN=a \\\"b\\\"\\\\c\\nd\"} 1.5\n");
  EXPECT_EQ(prom::number(-3), "-3");
  EXPECT_EQ(prom::number(0.25), "0.25");
}

TEST(JsonLog, ScrubsEmailBsnAndDates) {
  EXPECT_EQ(jlog::scrub("mail piet.de-vries+x@school.example.nl nu"), "mail <e-mail> nu");
  EXPECT_EQ(jlog::scrub("bsn 123456782."), "bsn <bsn>.");                     // passes the eleven-test
  EXPECT_EQ(jlog::scrub("leerbedrijf 100000001"), "leerbedrijf 100000001");  // does not
  EXPECT_EQ(jlog::scrub("geboren 2006-02-28 of 28-02-2006 of 28/02/2006"), "geboren <datum> of <datum> of <datum>");
  const std::string ids = "urn:uuid:2024-1234-5678 0000000700025BE00000 00000003273785290000 2026-K3";
  EXPECT_EQ(jlog::scrub(ids), ids) << "identifiers stay";
  EXPECT_EQ(jlog::scrub("user@localhost"), "user@localhost");
}
