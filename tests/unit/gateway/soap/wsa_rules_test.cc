#include "gateway/soap/wsa_rules.h"

#include <gtest/gtest.h>

using namespace edugate;
using namespace edugate::gateway;

namespace {
const Oin kUs = *Oin::parse("00000003273785290000");
WsaHeaders good() {
  WsaHeaders h;
  h.to = "https://sbb/edukoppeling/leerbedrijf?oin=00000003273785290000";
  h.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000";
  h.action = "urn:edugate:leerbedrijf:1:VerifieerErkenning";
  h.message_id = "urn:uuid:2f1e5d8c-3b4a-4c5d-9e6f-7a8b9c0d1e2f";
  return h;
}
std::string code(const WsaHeaders& h) {
  auto r = check_request_headers(h, {kUs});
  return r ? "" : r.error().code;
}
}  // namespace

TEST(WsaRules, GoodHeadersPass) {
  auto r = check_request_headers(good(), {kUs});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from_oin.str(), "0000000700025BE00000");
  EXPECT_EQ(r->to_oin, kUs);
}

TEST(WsaRules, EachMissingHeaderHasItsCode) {
  auto h = good(); h.to.reset(); EXPECT_EQ(code(h), "DK0005");
  h = good(); h.action.reset(); EXPECT_EQ(code(h), "DK0006");
  h = good(); h.message_id.reset(); EXPECT_EQ(code(h), "DK0007");
  h = good(); h.from.reset(); EXPECT_EQ(code(h), "EK0020");
}

TEST(WsaRules, MalformedValues) {
  auto h = good(); h.to = "https://sbb/x"; EXPECT_EQ(code(h), "DK0005");
  h = good(); h.message_id = "12345"; EXPECT_EQ(code(h), "EK0023");
  h = good(); h.from = "http://www.w3.org/2005/08/addressing/anonymous"; EXPECT_EQ(code(h), "EK0020");
  h = good(); h.to = "https://sbb/x?oin=00000003999999990000"; EXPECT_EQ(code(h), "DK0011");
}

TEST(WsaRules, ReplyToMustBeAnonymous) {
  auto h = good(); h.reply_to = "http://127.0.0.1:9/steal"; EXPECT_EQ(code(h), "DK0011");
  h = good(); h.fault_to = "https://elsewhere/"; EXPECT_EQ(code(h), "DK0011");
  h = good(); h.reply_to = "http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000"; EXPECT_EQ(code(h), "");
  h = good(); h.reply_to = "http://www.w3.org/2005/08/addressing/anonymous"; EXPECT_EQ(code(h), "");
}

TEST(WsaRules, SoapActionEmptyOrEqual) {
  const std::string a = "urn:edugate:leerbedrijf:1:VerifieerErkenning";
  EXPECT_TRUE(check_soap_action(std::nullopt, a));
  EXPECT_TRUE(check_soap_action("\"\"", a));
  EXPECT_TRUE(check_soap_action("\"" + a + "\"", a));
  EXPECT_TRUE(check_soap_action(a, a));
  EXPECT_EQ(check_soap_action("\"urn:other\"", a).error().code, "DK0003");
}

TEST(WsaRules, ResponseMustRelateToOurMessage) {
  auto sent = *MessageId::parse("urn:uuid:2f1e5d8c-3b4a-4c5d-9e6f-7a8b9c0d1e2f");
  WsaHeaders r;
  r.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=00000003273785290000";
  EXPECT_EQ(check_response_headers(r, sent, kUs).error().code, "DK0008");
  r.relates_to = "urn:uuid:00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(check_response_headers(r, sent, kUs).error().code, "DK0008");
  r.relates_to = sent.str();
  EXPECT_TRUE(check_response_headers(r, sent, kUs));
  r.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=00000003123456780000";
  EXPECT_EQ(check_response_headers(r, sent, kUs).error().code, "EK0030");
}
