#include "gateway/soap/envelope.h"

#include <gtest/gtest.h>

#include "security/xml_guard.h"

using namespace edugate;
using namespace edugate::gateway;

namespace {
const char* kHead =
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">";

Result<ParsedEnvelope> read(const std::string& xml) {
  auto doc = security::parse_guarded(xml);
  if (!doc) return doc.error();
  return read_envelope(std::move(doc).value());
}
std::string env(const std::string& headers, const std::string& body = "<x:A xmlns:x=\"urn:x\"/>") {
  return std::string(kHead) + "<soap:Header>" + headers + "</soap:Header><soap:Body>" + body + "</soap:Body></soap:Envelope>";
}
}  // namespace

TEST(Envelope, ReadsWsaHeaders) {
  auto e = read(env("<wsa:To>https://h/p?oin=00000003273785290000</wsa:To>"
                    "<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000</wsa:Address></wsa:From>"
                    "<wsa:Action> urn:a </wsa:Action><wsa:MessageID>urn:uuid:1</wsa:MessageID>"));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(*e->wsa.to, "https://h/p?oin=00000003273785290000");
  EXPECT_EQ(*e->wsa.action, "urn:a");
  EXPECT_EQ(*e->wsa.message_id, "urn:uuid:1");
  EXPECT_TRUE(e->wsa.from->find("anonymous?oin=") != std::string::npos);
  EXPECT_FALSE(e->wsa.reply_to);
}

TEST(Envelope, Soap12IsRefusedClearly) {
  auto e = read("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><a/></e:Body></e:Envelope>");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "DK0001");
  EXPECT_NE(e.error().message.find("SOAP 1.2"), std::string::npos);
}

TEST(Envelope, OneBodyChildOnly) {
  auto e = read(env("", "<a/><b/>"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "DK0001");
  EXPECT_FALSE(read(env("", "")));
}

TEST(Envelope, ForeignHeaderBlockIsDK0010) {
  auto e = read(env("<x:Mine xmlns:x=\"urn:mine\">1</x:Mine>"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "DK0010");
}

TEST(Envelope, DuplicateHeaderCarriesThatHeadersCode) {
  auto e = read(env("<wsa:To>a</wsa:To><wsa:To>b</wsa:To>"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "DK0005");
}

TEST(Envelope, FromWithMoreThanAddressIsEK0020) {
  auto e = read(env("<wsa:From><wsa:Address>x</wsa:Address><wsa:ReferenceParameters/></wsa:From>"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "EK0020");
}

TEST(Envelope, CanonicalBodyCarriesItsNamespaces) {
  auto e = read(std::string(kHead) + "<soap:Body xmlns:lb=\"urn:lb\"><lb:A><lb:B>1</lb:B></lb:A></soap:Body></soap:Envelope>");
  ASSERT_TRUE(e);
  auto c = canonical_body(*e);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, "<lb:A xmlns:lb=\"urn:lb\"><lb:B>1</lb:B></lb:A>");
}

TEST(Envelope, OinOfAddressIsCaseInsensitiveInTheName) {
  EXPECT_EQ(oin_of_address("https://h/p?OIN=00000003273785290000")->str(), "00000003273785290000");
  EXPECT_EQ(oin_of_address("https://h/p?x=1&Oin=00000003273785290000")->str(), "00000003273785290000");
  EXPECT_FALSE(oin_of_address("https://h/p"));
  EXPECT_FALSE(oin_of_address("https://h/p?oin=123"));
  EXPECT_FALSE(oin_of_address("https://h/p?oin=00000003273785290000&oin=00000003273785290000"));
}

TEST(Envelope, AnonymousWithOinCountsAsAnonymous) {
  EXPECT_TRUE(is_anonymous_address("http://www.w3.org/2005/08/addressing/anonymous"));
  EXPECT_TRUE(is_anonymous_address("http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000"));
  EXPECT_FALSE(is_anonymous_address("http://www.w3.org/2005/08/addressing/anonymousX"));
  EXPECT_FALSE(is_anonymous_address("https://evil.example/collect"));
  EXPECT_EQ(address_with_oin("https://h/p?OIN=1", *Oin::parse("00000003273785290000")),
            "https://h/p?oin=00000003273785290000");
}

TEST(Envelope, FaultCarriesCodeInStringAndDetail) {
  std::string f = build_fault(Fault{true, "DK0005", "wsa:To ontbreekt", "wsa:To"}, nullptr);
  EXPECT_NE(f.find("<faultcode>soap:Client</faultcode>"), std::string::npos);
  EXPECT_NE(f.find("DK0005: wsa:To ontbreekt"), std::string::npos);
  EXPECT_NE(f.find("<gem:Code>DK0005</gem:Code>"), std::string::npos);
  EXPECT_NE(f.find("<gem:Veld>wsa:To</gem:Veld>"), std::string::npos);
  EXPECT_TRUE(security::parse_guarded(f));
  std::string s = build_fault(Fault{false, "", "interne fout, incident 1234", ""}, nullptr);
  EXPECT_NE(s.find("soap:Server"), std::string::npos);
  EXPECT_EQ(s.find("<detail>"), std::string::npos);
}

TEST(Envelope, AFaultReadsBackAsItWasBuilt) {
  OutHeaders h{"https://h/p", "f", "http://www.w3.org/2005/08/addressing/fault", "urn:uuid:x", "urn:uuid:y"};
  auto r = read(build_fault(Fault{true, "DK0005", "wsa:To ontbreekt & meer", "wsa:To"}, &h));
  ASSERT_TRUE(r) << r.error().message;
  auto f = read_fault(r->body_child);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->faultcode, "soap:Client");
  EXPECT_EQ(f->faultstring, "DK0005: wsa:To ontbreekt & meer");
  EXPECT_EQ(f->code, "DK0005");
  EXPECT_EQ(f->field, "wsa:To");
  auto server = read(build_fault(Fault{false, "", "interne fout, incident 1234", ""}, &h));
  ASSERT_TRUE(server) << server.error().message;
  auto s = read_fault(server->body_child);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->faultcode, "soap:Server");
  EXPECT_TRUE(s->code.empty());
  EXPECT_TRUE(s->field.empty());
  // An answer that is not a fault, and a Fault element outside the SOAP 1.1 namespace.
  EXPECT_FALSE(read_fault(read(env("", "<x:A xmlns:x=\"urn:x\"/>"))->body_child));
  EXPECT_FALSE(read_fault(read(env("", "<x:Fault xmlns:x=\"urn:x\"/>"))->body_child));
}

TEST(Envelope, BuiltEnvelopeEscapesAndParses) {
  std::string e = build_envelope(OutHeaders{"a?b=1&c=2", "f", "act", "urn:uuid:x", "urn:uuid:y"}, "<x:A xmlns:x=\"urn:x\"/>");
  auto r = read(e);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->wsa.to, "a?b=1&c=2");
  EXPECT_EQ(*r->wsa.relates_to, "urn:uuid:y");
}

TEST(Envelope, RelativeNamespaceUriInTheBodyIsDK0001NotANoisyLog) {
  auto e = read(std::string(kHead) + "<soap:Body><x:A xmlns:x=\"relative\"/></soap:Body></soap:Envelope>");
  ASSERT_TRUE(e);
  auto c = canonical_body(*e);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "DK0001");
}
