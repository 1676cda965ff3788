#include "core/url.h"

#include <gtest/gtest.h>

namespace edugate {
namespace {

Url ok(std::string_view text) {
  auto u = parse_url(text);
  EXPECT_TRUE(u) << text << ": " << (u ? "" : u.error().message);
  return u ? *u : Url{};
}

std::string refusal(std::string_view text) {
  auto u = parse_url(text);
  EXPECT_FALSE(u) << text;
  return u ? "" : u.error().message;
}

TEST(Url, DefaultPortsAndTheRootPath) {
  auto a = ok("https://sbb.example");
  EXPECT_EQ(a.scheme, "https");
  EXPECT_EQ(a.host, "sbb.example");
  EXPECT_EQ(a.port, "443");
  EXPECT_EQ(a.target, "/");
  auto b = ok("HTTP://crl.example/ca.crl");
  EXPECT_EQ(b.scheme, "http");
  EXPECT_EQ(b.port, "80");
  EXPECT_EQ(b.target, "/ca.crl");
}

TEST(Url, Ipv6LiteralWithPort) {
  auto u = ok("https://[::1]:8443/leerbedrijf");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "8443");
  EXPECT_EQ(u.target, "/leerbedrijf");
  EXPECT_EQ(ok("https://[::1]").port, "443");
}

TEST(Url, QueryIsKeptAndTheFragmentDropped) {
  auto u = ok("https://h:9/a/b?x=1&y=2#frag");
  EXPECT_EQ(u.target, "/a/b?x=1&y=2");
  EXPECT_EQ(u.path(), "/a/b");
  EXPECT_EQ(ok("https://h?x=1").target, "/?x=1");
}

TEST(Url, BadInputIsRefusedWithTheProblemNamed) {
  EXPECT_EQ(refusal("ftp://h/"), "not an http:// or https:// URL");
  EXPECT_EQ(refusal("h:443/x"), "not an http:// or https:// URL");
  EXPECT_EQ(refusal("https://h/a b"), "URL has characters outside printable ASCII");
  EXPECT_EQ(refusal("https://user:pw@h/"), "user information in the URL");
  EXPECT_EQ(refusal("https://[::1/"), "malformed IPv6 address");
  EXPECT_EQ(refusal("https://[::1]x/"), "malformed host");
  EXPECT_EQ(refusal("https:///path"), "no host in the URL");
  EXPECT_EQ(refusal("https://h:/"), "malformed port");
  EXPECT_EQ(refusal("https://h:99999/"), "malformed port");
  EXPECT_EQ(refusal("https://h:0/"), "malformed port");
  EXPECT_EQ(refusal("https://h:8x/"), "malformed port");
}

}  // namespace
}  // namespace edugate
