// Conformance: every rule of ../shared/docs/edukoppeling.md that the provider enforces, each in
// a test named after its rule id, against the real binary over mutual TLS.
#include <gtest/gtest.h>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "gateway/soap/wsa_rules.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fx = edugate::adapters::db::fixtures;

namespace {

const std::string kPath = "/edukoppeling/leerbedrijf";
const std::string kAction = "urn:edugate:leerbedrijf:1:VerifieerErkenning";

EnvelopeSpec good() {
  EnvelopeSpec s;
  s.body = verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BOL");
  return s;
}

RawResponse post(Provider& p, const EnvelopeSpec& s, std::optional<std::string> soap_action = std::nullopt,
                 const std::string& stem = "school-25be") {
  std::map<std::string, std::string> h{{"Content-Type", "text/xml; charset=utf-8"}};
  if (soap_action) h["SOAPAction"] = *soap_action;
  return raw_post(p.port(), stem, kPath, envelope(s), h);
}

void expect_fault(const RawResponse& r, const std::string& code, const char* faultcode = "soap:Client") {
  EXPECT_EQ(r.status, 500) << r.error << r.body;
  EXPECT_EQ(fault_code(r.body), code) << r.body;
  EXPECT_NE(r.body.find(std::string("<faultcode>") + faultcode + "</faultcode>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(code + ": "), std::string::npos) << "the code is also in faultstring: " << r.body;
}

void expect_ok(const RawResponse& r) {
  EXPECT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_NE(r.body.find("<lb:Erkend>true</lb:Erkend>"), std::string::npos) << r.body;
}

}  // namespace

// §1 Transport
TEST(Conformance, WS002_EmptySoapActionIsAccepted) {
  Provider p;
  expect_ok(post(p, good(), "\"\""));
}

TEST(Conformance, WS002_SoapActionEqualToWsaActionIsAccepted) {
  Provider p;
  expect_ok(post(p, good(), "\"" + kAction + "\""));
}

TEST(Conformance, WS002_SoapActionContradictingWsaActionIsDK0003) {
  Provider p;
  expect_fault(post(p, good(), "\"urn:edugate:leerbedrijf:1:ZoekLeerbedrijven\""), "DK0003");
}

TEST(Conformance, WS006_NonUtf8IsDK0009) {
  Provider p;
  auto s = good();
  s.body = "<lb:VerifieerErkenningVerzoek xmlns:lb=\"urn:edugate:leerbedrijf:1\"><lb:LeerbedrijfID>\xE9\xE9</lb:LeerbedrijfID>"
           "<lb:Crebo>25180</lb:Crebo><lb:Leerweg>BOL</lb:Leerweg></lb:VerifieerErkenningVerzoek>";
  expect_fault(post(p, s), "DK0009");
}

TEST(Conformance, WS007_ForeignHeaderBlockIsDK0010) {
  Provider p;
  auto s = good();
  s.extra_headers = "<x:Tracking xmlns:x=\"urn:vendor:tracking\" soap:mustUnderstand=\"0\">42</x:Tracking>";
  expect_fault(post(p, s), "DK0010");
}

TEST(Conformance, DK0009_CharsetOtherThanUtf8IsRefused) {
  Provider p;
  auto r = raw_post(p.port(), "school-25be", kPath, envelope(good()), {{"Content-Type", "text/xml; charset=iso-8859-1"}});
  expect_fault(r, "DK0009");
  // The same with an XML declaration that names another encoding.
  std::string latin1 = envelope(good());
  const std::string utf8_decl = "encoding=\"UTF-8\"";
  ASSERT_NE(latin1.find(utf8_decl), std::string::npos);
  latin1.replace(latin1.find(utf8_decl), utf8_decl.size(), "encoding=\"ISO-8859-1\"");
  auto d = raw_post(p.port(), "school-25be", kPath, latin1, {{"Content-Type", "text/xml; charset=utf-8"}});
  expect_fault(d, "DK0009");
}

TEST(Conformance, DK0010_UnsupportedWsAddressingHeaderIsRefused) {
  Provider p;
  auto s = good();
  s.extra_headers = "<wsa:Bestaatniet xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">x</wsa:Bestaatniet>";
  auto r = post(p, s);
  expect_fault(r, "DK0010");
  EXPECT_NE(r.body.find("wsa:Bestaatniet"), std::string::npos) << r.body;
}

TEST(Conformance, WW003_MoreThanOneBodyChildIsDK0001) {
  Provider p;
  auto s = good();
  s.body += verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BBL");
  expect_fault(post(p, s), "DK0001");
}

TEST(Conformance, WT007_SeveralMessagesShareOneTlsSession) {
  Provider p;
  Connection c(p.port(), "school-25be");
  for (int i = 0; i < 5; ++i) expect_ok(c.post(kPath, envelope(good()), kAction));
}

TEST(Conformance, DK0001_Soap12EnvelopeIsRefused) {
  Provider p;
  std::string e12 = "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body>" +
                    verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BOL") + "</e:Body></e:Envelope>";
  auto r = raw_post(p.port(), "school-25be", kPath, e12, {{"Content-Type", "text/xml; charset=utf-8"}});
  expect_fault(r, "DK0001");
}

TEST(Conformance, DK0001_DoctypeIsRefused) {
  Provider p;
  std::string e = envelope(good());
  e.insert(e.find("<soap:Envelope"), "<!DOCTYPE soap:Envelope>");
  expect_fault(raw_post(p.port(), "school-25be", kPath, e, {{"Content-Type", "text/xml; charset=utf-8"}}), "DK0001");
}

// §2 WS-Addressing
TEST(Conformance, DK0005_MissingToIsRefused) {
  Provider p;
  auto s = good();
  s.to.clear();
  expect_fault(post(p, s), "DK0005");
}

TEST(Conformance, DK0005_ToWithoutOinIsRefused) {
  Provider p;
  auto s = good();
  s.to = "https://127.0.0.1/edukoppeling/leerbedrijf";
  expect_fault(post(p, s), "DK0005");
}

TEST(Conformance, DK0005_OinParameterIsCaseInsensitive) {
  Provider p;
  auto s = good();
  s.to = "https://127.0.0.1/edukoppeling/leerbedrijf?OIN=00000003273785290000";
  s.from = "http://www.w3.org/2005/08/addressing/anonymous?Oin=0000000700025BE00000";
  auto r = post(p, s);
  expect_ok(r);
  EXPECT_NE(r.body.find("?oin=0000000700025BE00000"), std::string::npos) << "emitted lower-case";
}

TEST(Conformance, DK0006_MissingActionIsRefused) {
  Provider p;
  auto s = good();
  s.action.clear();
  expect_fault(post(p, s), "DK0006");
}

TEST(Conformance, DK0003_UnknownActionIsRefused) {
  Provider p;
  auto s = good();
  s.action = "urn:edugate:leerbedrijf:1:Bestaatniet";
  expect_fault(post(p, s), "DK0003");
}

TEST(Conformance, DK0007_MissingMessageIdIsRefused) {
  Provider p;
  auto s = good();
  s.message_id = "-";
  expect_fault(post(p, s), "DK0007");
}

TEST(Conformance, EK0023_MessageIdNotUrnUuidIsRefused) {
  Provider p;
  auto s = good();
  s.message_id = "uuid:2f1e5d8c-3b4a-4c5d-9e6f-7a8b9c0d1e2f";
  expect_fault(post(p, s), "EK0023");
  s.message_id = "urn:uuid:not-a-uuid";
  expect_fault(post(p, s), "EK0023");
}

TEST(Conformance, EK0020_MissingFromIsRefused) {
  Provider p;
  auto s = good();
  s.from.clear();
  expect_fault(post(p, s), "EK0020");
}

TEST(Conformance, EK0020_FromWithoutValidOinIsRefused) {
  Provider p;
  auto s = good();
  s.from = "http://www.w3.org/2005/08/addressing/anonymous";
  expect_fault(post(p, s), "EK0020");
  s.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=25BE";
  expect_fault(post(p, s), "EK0020");
}

TEST(Conformance, EK0030_FromOinDiffersFromCertificateIsRefused) {
  Provider p;
  auto s = good();
  s.from = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSchool30gr;
  expect_fault(post(p, s), "EK0030");
}

TEST(Conformance, DK0011_ToWithAnotherOinIsRefused) {
  Provider p;
  auto s = good();
  s.to = "https://127.0.0.1/edukoppeling/leerbedrijf?oin=00000003999999990000";
  expect_fault(post(p, s), "DK0011");
}

TEST(Conformance, DK0011_NonAnonymousReplyToIsRefused) {
  Provider p;
  auto s = good();
  s.reply_to = "https://school.example/antwoorden";
  expect_fault(post(p, s), "DK0011");
}

TEST(Conformance, DK0011_AnonymousReplyToWithOinIsAccepted) {
  Provider p;
  auto s = good();
  s.reply_to = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSchool25be;
  expect_ok(post(p, s));
}

TEST(Conformance, DK0011_MessageIdReusedWithDifferentContentIsRefused) {
  Provider p;
  auto s = good();
  s.message_id = new_message_id().str();
  auto first = post(p, s);
  expect_ok(first);
  auto same = post(p, s);
  EXPECT_EQ(same.body, first.body);
  s.body = verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BBL");
  expect_fault(post(p, s), "DK0011");
}

TEST(Conformance, DK0002_PartyWithoutAgreementIsRefused) {
  Provider p;
  auto s = good();
  s.from = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSchool21ca;
  expect_fault(post(p, s, std::nullopt, "school-21ca"), "DK0002");
}

TEST(Conformance, DK0004_BodyNotMatchingTheActionIsRefused) {
  Provider p;
  auto s = good();
  s.action = "urn:edugate:leerbedrijf:1:GeefLeerbedrijfDetails";
  expect_fault(post(p, s), "DK0004");
}

TEST(Conformance, DK0008_ClientRefusesResponseWithoutMatchingRelatesTo) {
  gateway::WsaHeaders resp;
  resp.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=00000003273785290000";
  auto sent = new_message_id();
  EXPECT_EQ(gateway::check_response_headers(resp, sent, *Oin::parse(kSbbOin)).error().code, "DK0008");
  resp.relates_to = new_message_id().str();
  EXPECT_EQ(gateway::check_response_headers(resp, sent, *Oin::parse(kSbbOin)).error().code, "DK0008");
}

TEST(Conformance, ResponseHeadersCarryOinsRelatesToAndResponseAction) {
  Provider p;
  auto s = good();
  s.message_id = new_message_id().str();
  auto r = post(p, s);
  expect_ok(r);
  EXPECT_NE(r.body.find("<wsa:To>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000</wsa:To>"), std::string::npos);
  EXPECT_NE(r.body.find("<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=00000003273785290000</wsa:Address></wsa:From>"), std::string::npos);
  EXPECT_NE(r.body.find("<wsa:RelatesTo>" + s.message_id + "</wsa:RelatesTo>"), std::string::npos);
  EXPECT_NE(r.body.find("<wsa:Action>urn:edugate:leerbedrijf:1:VerifieerErkenningAntwoord</wsa:Action>"), std::string::npos);
  EXPECT_NE(r.body.find("<wsa:MessageID>urn:uuid:"), std::string::npos);
  EXPECT_EQ(r.body.find("<wsa:MessageID>" + s.message_id), std::string::npos) << "a new MessageID for the response";
}

TEST(Conformance, FaultsCarryRelatesToWhenTheMessageIdWasUsable) {
  Provider p;
  auto s = good();
  s.message_id = new_message_id().str();
  s.to.clear();
  auto r = post(p, s);
  expect_fault(r, "DK0005");
  EXPECT_NE(r.body.find("<wsa:RelatesTo>" + s.message_id + "</wsa:RelatesTo>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<wsa:Action>http://www.w3.org/2005/08/addressing/fault</wsa:Action>"), std::string::npos);
}
