#include "security/xml_guard.h"

#include <gtest/gtest.h>

using namespace edugate::security;

namespace {
std::string code_of(std::string_view xml) {
  auto r = parse_guarded(xml);
  return r ? "" : r.error().code;
}
}  // namespace

TEST(XmlGuard, AcceptsPlainUtf8) {
  EXPECT_EQ(code_of("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a xmlns=\"urn:x\"><b>é</b></a>"), "");
  EXPECT_EQ(code_of("\xEF\xBB\xBF<a/>"), "");
}

TEST(XmlGuard, RefusesDoctypeBeforeParsing) {
  EXPECT_EQ(code_of("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"), "DK0001");
  EXPECT_EQ(code_of("<?xml version=\"1.0\"?><!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>"), "DK0001");
}

TEST(XmlGuard, UndeclaredEntityIsNotWellFormed) { EXPECT_EQ(code_of("<a>&xxe;</a>"), "DK0001"); }

TEST(XmlGuard, RefusesNonUtf8) {
  EXPECT_EQ(code_of("<a>\xE9</a>"), "DK0009");                                  // Latin-1 byte
  EXPECT_EQ(code_of("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"), "DK0009");
  EXPECT_EQ(code_of(std::string("\xFF\xFE<\0a\0/\0>\0", 10)), "DK0009");        // UTF-16
  EXPECT_EQ(code_of("<a>\xC0\xAF</a>"), "DK0009");                              // overlong
  EXPECT_EQ(code_of("<a>\xED\xA0\x80</a>"), "DK0009");                          // surrogate
}

TEST(XmlGuard, RefusesMalformedAndTruncated) {
  EXPECT_EQ(code_of(""), "DK0001");
  EXPECT_EQ(code_of("not xml at all"), "DK0001");
  EXPECT_EQ(code_of("<a><b></a>"), "DK0001");
  EXPECT_EQ(code_of("<a><b>text</b>"), "DK0001");
}

TEST(XmlGuard, CapsDepth) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_EQ(code_of(deep), "DK0001");
  std::string ok, closing;
  for (int i = 0; i < 60; ++i) { ok += "<a>"; closing += "</a>"; }
  EXPECT_EQ(code_of(ok + closing), "");
  std::string over, overclose;
  for (int i = 0; i < 65; ++i) { over += "<a>"; overclose += "</a>"; }
  EXPECT_EQ(code_of(over + overclose), "DK0001");
}

TEST(XmlGuard, CapsAttributesAndNames) {
  std::string attrs = "<a";
  for (int i = 0; i < 40; ++i) attrs += " x" + std::to_string(i) + "=\"1\"";
  EXPECT_EQ(code_of(attrs + "/>"), "DK0001");
  EXPECT_EQ(code_of("<" + std::string(300, 'n') + "/>"), "DK0001");
}

TEST(XmlGuard, Utf8Validator) {
  EXPECT_TRUE(is_valid_utf8("abc \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
}
