#include "security/pki.h"

#include <gtest/gtest.h>

#include "security/tls_policy.h"

using namespace edugate::security;

namespace {
std::string pki(const std::string& f) { return std::string(EDUGATE_TEST_PKI_DIR) + "/" + f; }
TlsSettings settings(const std::string& cert, const std::string& key, const std::string& crl) {
  TlsSettings s;
  s.certificate = pki(cert);
  s.private_key = pki(key);
  s.trust_anchors = pki("trust.pem");
  s.crls = {pki(crl)};
  return s;
}
}  // namespace

TEST(Pki, OinFromSubjectSerialNumber) {
  auto id = identity_of_file(pki("school-25be.cert.pem"));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->oin.str(), "0000000700025BE00000");
  EXPECT_FALSE(id->serial_hex.empty());
  EXPECT_GT(id->not_after, 0);
  EXPECT_EQ(identity_of_file(pki("sbb.cert.pem"))->oin.str(), "00000003273785290000");
}

TEST(Pki, CertificateWithoutOinIsRefused) {
  auto id = identity_of_file(pki("nooin.cert.pem"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, "DK0002");
}

TEST(TlsPolicy, ContextsBuildFromTheExamplePki) {
  TlsSettings s = settings("sbb.chain.pem", "sbb.key.pem", "crls.pem");
  EXPECT_NO_THROW(make_server_context(s));
  EXPECT_NO_THROW(make_client_context(s));
}

TEST(TlsPolicy, MismatchedKeyIsAStartupError) {
  TlsSettings s = settings("sbb.chain.pem", "vendor.key.pem", "crls.pem");
  EXPECT_THROW(make_server_context(s), std::runtime_error);
}

TEST(TlsPolicy, MissingCrlFileIsAStartupError) {
  TlsSettings s = settings("sbb.chain.pem", "sbb.key.pem", "nope.pem");
  EXPECT_THROW(make_server_context(s), std::runtime_error);
}

TEST(TlsPolicy, OnlyNcscGoodSuites) {
  std::string list = kTls12Ciphers;
  EXPECT_EQ(list.find("CBC"), std::string::npos);
  EXPECT_EQ(list.find("SHA:"), std::string::npos);
  // Every suite has ephemeral ECDH key exchange (no static RSA) and an AEAD cipher.
  std::size_t start = 0;
  int n = 0;
  while (start < list.size()) {
    auto end = list.find(':', start);
    std::string suite = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
    EXPECT_EQ(suite.rfind("ECDHE-", 0), 0u) << suite;
    EXPECT_TRUE(suite.find("GCM") != std::string::npos || suite.find("CHACHA20-POLY1305") != std::string::npos) << suite;
    ++n;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  EXPECT_EQ(n, 6);
}
