// PKIoverheid G4 readiness (issue 16 point 9): G3 and Private G1 expire by November 2028, G4 has
// roots of its own, RSA-PSS signatures and one purpose per certificate. A gateway in service then
// trusts both generations at once and serves schools on each side by side; schools and the
// provider move one by one, by reloads (docs/OPERATIONS.md, "Rolling from PKIoverheid G3 to G4
// without downtime"). The example PKI's G4 generation is in certs-example/README.md.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "security/wssec.h"
#include "security/xmldsig_rsa_pss.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSchoolKvk = "00000003412345670000";  // 00000003 + KvK 41234567 + 0000, on G4
const std::string kPath = "/edukoppeling/leerbedrijf";
const std::string kAction = "urn:edugate:leerbedrijf:1:VerifieerErkenning";
const char* kVerifieer = R"({"LeerbedrijfID": "100000001", "Crebo": "25180", "Leerweg": "BBL"})";

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}
void replace_file(const std::string& target, const std::string& content) {
  std::ofstream(target + ".new") << content;
  fs::rename(target + ".new", target);
}
int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// A provider in migration: trusting G3 and G4, on the given TLS certificate.
ProviderOptions migrating(const std::string& certificate_stem = "sbb", const std::string& extra_yaml = {}) {
  ProviderOptions o;
  o.certificate_stem = certificate_stem;
  o.trust_anchors = trust_g3_and_g4();
  o.crls = crls_g3_and_g4();
  o.extra_yaml = extra_yaml;
  return o;
}

void onboard_g4_school(const Provider& p) {
  ASSERT_EQ(p.edugate({"onboard", "party", "--cert", pki_dir() + "/g4/school-kvk-auth.cert.pem", "--name", "ROC TEST Zeeland",
                       "--kind", "school"})
                .exit_code,
            0);
  ASSERT_EQ(p.edugate({"onboard", "agreement", "--oin", kSchoolKvk, "--service", "leerbedrijf"}).exit_code, 0);
}

// A client of either generation: its TLS certificate, trust in both, optionally a signing
// certificate of its own.
gateway::Config client(const std::string& stem, const std::string& oin, unsigned short port,
                       const std::string& signing_stem = {}) {
  auto c = client_config(stem, port, oin);
  c.tls.trust_anchors = trust_g3_and_g4();
  c.tls.crls = {crls_g3_and_g4()};
  if (!signing_stem.empty()) {
    c.tls.signing_certificate = pki_dir() + "/" + signing_stem + ".chain.pem";
    c.tls.signing_private_key = pki_dir() + "/" + signing_stem + ".key.pem";
  }
  return c;
}

std::string signed_request(const std::string& signing_stem, unsigned short port, const std::string& from_oin) {
  EnvelopeSpec spec;
  spec.to = "https://127.0.0.1:" + std::to_string(port) + kPath + "?oin=" + kSbbOin;
  spec.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=" + from_oin;
  security::wssec::Signer signer(pki_dir() + "/" + signing_stem + ".chain.pem", pki_dir() + "/" + signing_stem + ".key.pem");
  auto s = signer.sign(envelope(spec));
  if (!s) throw std::runtime_error(s.error().message);
  return *s;
}

std::map<std::string, std::string> soap_headers() {
  return {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", "\"" + kAction + "\""}};
}

}  // namespace

TEST(G4, AProviderTrustingG3AndG4ServesSchoolsOfBothGenerationsSideBySide) {
  Provider p(migrating("g4/sbb-tls"));  // the provider itself has moved to G4 already
  onboard_g4_school(p);
  struct School {
    const char* stem;
    const char* oin;
  };
  // 25BE still on G3; Zeeland new on G4 (an OIN of the KvK form); 30GR moved to G4, same OIN.
  const School schools[] = {{"school-25be", kSchool25be}, {"g4/school-kvk-auth", kSchoolKvk},
                            {"g4/school-30gr-auth", kSchool30gr}};
  std::vector<std::thread> threads;
  std::vector<std::string> failures[3];
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      for (int n = 0; n < 4; ++n) {
        auto ex = send_json_with(client(schools[i].stem, schools[i].oin, p.port()), "VerifieerErkenning", kVerifieer);
        if (!ex) failures[i].push_back(ex.error().message);
        else if (ex->is_fault) failures[i].push_back(ex->faultstring);
        else if (body_json(*ex).find("\"Erkend\":true") == std::string::npos) failures[i].push_back(body_json(*ex));
      }
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(failures[i].empty()) << schools[i].stem << ": " << failures[i].front();
  // The schools were told apart by their OINs: each has its own audit lines.
  for (const char* oin : {kSchool25be, kSchoolKvk, kSchool30gr})
    EXPECT_EQ(p.scalar("store", std::string("SELECT COUNT(*) FROM audit WHERE sender_oin = '") + oin + "'"), "4") << oin;
  // A client that trusts G3 alone refuses the G4 provider: schools add the G4 roots first.
  auto g3_only = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer);
  EXPECT_FALSE(g3_only) << "a G3-only client accepted the G4 server certificate";
}

TEST(G4, AProviderTrustingOnlyG3RefusesAG4School) {
  Provider p;
  onboard_g4_school(p);
  auto r = raw_post(p.port(), "g4/school-kvk-auth", kPath, signed_request("g4/school-kvk-sign", p.port(), kSchoolKvk),
                    soap_headers());
  EXPECT_EQ(r.status, 0) << "served without G4 in the trust anchors: " << r.body;
  // The client may see the refusal before the gateway has written its line (AddressSanitizer).
  EXPECT_TRUE(eventually([&] { return p.log().find("tls_refused") != std::string::npos; }, 5000)) << p.log();
}

TEST(G4, AG4SchoolSignsWithRsaPssAndItVerifiesATamperedBodyIsEK0031) {
  Provider p(migrating("sbb", "wssecurity:\n  require_signed: [all]\n"));  // the provider still on G3
  onboard_g4_school(p);
  const auto good = signed_request("g4/school-kvk-sign", p.port(), kSchoolKvk);
  ASSERT_NE(good.find(security::xmldsig_rsa_pss::kSha256), std::string::npos) << "not an RSA-PSS signature";
  // TLS with the authentication certificate, the signature with the separate signing certificate.
  auto ok = raw_post(p.port(), "g4/school-kvk-auth", kPath, good, soap_headers());
  EXPECT_EQ(ok.status, 200) << ok.error << ok.body;
  EXPECT_NE(ok.body.find("SignatureConfirmation"), std::string::npos) << ok.body;
  auto tampered = good;
  tampered.replace(tampered.find("100000001"), 9, "100000002");
  auto r = raw_post(p.port(), "g4/school-kvk-auth", kPath, tampered, soap_headers());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fault_code(r.body), "EK0031") << r.body;
  // The signing certificate of another party (SBB's G4 one) over the school's TLS connection.
  r = raw_post(p.port(), "g4/school-kvk-auth", kPath, signed_request("g4/sbb-sign", p.port(), kSchoolKvk), soap_headers());
  EXPECT_EQ(fault_code(r.body), "EK0031") << r.body;
}

TEST(G4, AnEcdsaG4SigningCertificateSignsARequest) {
  Provider p(migrating("sbb", "wssecurity:\n  require_signed: [all]\n"));
  onboard_g4_school(p);
  const auto good = signed_request("g4/school-kvk-ec-sign", p.port(), kSchoolKvk);
  ASSERT_NE(good.find("ecdsa-sha256"), std::string::npos);
  auto r = raw_post(p.port(), "g4/school-kvk-auth", kPath, good, soap_headers());
  EXPECT_EQ(r.status, 200) << r.error << r.body;
}

TEST(G4, TheProviderSignsItsAnswerWithItsG4RsaPssKeyAndTheClientVerifiesIt) {
  // SBB on G4: TLS with g4/sbb-tls, WS-Security with the separate g4/sbb-sign.
  Provider p(migrating("g4/sbb-tls", "wssecurity:\n  require_signed: [all]\n  certificate: " + pki_dir() +
                                         "/g4/sbb-sign.chain.pem\n  private_key: " + pki_dir() + "/g4/sbb-sign.key.pem\n"));
  onboard_g4_school(p);
  gateway::SendOptions o;
  o.sign = true;
  // The client signs with its RSA-PSS key, verifies the answer (signer = SBB, a signing
  // certificate of the G4 chain SBB's TLS sent) and its SignatureConfirmation [WB014].
  auto ex = send_json_with(client("g4/school-kvk-auth", kSchoolKvk, p.port(), "g4/school-kvk-sign"), "VerifieerErkenning",
                           kVerifieer, o);
  ASSERT_TRUE(ex) << ex.error().code << " " << ex.error().message;
  EXPECT_FALSE(ex->is_fault) << ex->faultstring;
  EXPECT_NE(ex->response.find(security::xmldsig_rsa_pss::kSha256), std::string::npos) << "answer not RSA-PSS signed";
  EXPECT_NE(ex->response.find("SignatureConfirmation"), std::string::npos);
  EXPECT_NE(body_json(*ex).find("\"Erkend\":true"), std::string::npos) << body_json(*ex);
  // A G3 school, signing with its G3 certificate (rsa-sha256), is served by the same gateway.
  auto g3 = send_json_with(client("school-25be", kSchool25be, p.port()), "VerifieerErkenning", kVerifieer, o);
  ASSERT_TRUE(g3) << g3.error().code << " " << g3.error().message;
  EXPECT_FALSE(g3->is_fault) << g3->faultstring;
}

TEST(G4, ConfigCheckNamesAG4CaWhoseCrlIsMissing) {
  const std::string dir = make_temp_dir("g4");
  // Every CRL of G3 and the G4 root's, but not those of the G4 intermediates in our own chain.
  std::ofstream(dir + "/crls.pem") << slurp(pki_dir() + "/crls.pem") << slurp(pki_dir() + "/crl/g4-root.crl.pem");
  auto yaml = [&](const std::string& crls) {
    std::ofstream(dir + "/provider.yaml") << "role: provider\noin: \"" << kSbbOin << "\"\ntls:\n  certificate: " << pki_dir()
                                          << "/g4/sbb-tls.chain.pem\n  private_key: " << pki_dir()
                                          << "/g4/sbb-tls.key.pem\n  trust_anchors: " << trust_g3_and_g4() << "\n  crls: ["
                                          << crls << "]\n";
    return dir + "/provider.yaml";
  };
  auto r = run({edugate_binary(), "config", "check", yaml(dir + "/crls.pem")});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  for (const char* ca : {"edugate TEST PKIoverheid Organisatie Services CA - G4",
                         "edugate TEST PKIoverheid Organisatie Services Issuing CA - G4"})
    EXPECT_NE(r.output.find(std::string("no CRL for CA '/C=NL/O=edugate TEST ONLY/CN=") + ca + "'"), std::string::npos)
        << ca << "\n" << r.output;
  EXPECT_EQ(r.output.find("Root CA - G4'"), std::string::npos) << "the G4 root has its CRL: " << r.output;
  EXPECT_EQ(r.output.find("G1'"), std::string::npos) << "G3 has its CRLs: " << r.output;
  // With every CRL of both generations it passes and lists the CAs of both.
  r = run({edugate_binary(), "config", "check", yaml(crls_g3_and_g4())});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Root CA - G4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Private Root CA - G1"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(G4, ConfigCheckRefusesASigningCertificateOfAnotherOin) {
  const std::string dir = make_temp_dir("g4");
  std::ofstream(dir + "/provider.yaml") << "role: provider\noin: \"" << kSbbOin << "\"\ntls:\n  certificate: " << pki_dir()
                                        << "/g4/sbb-tls.chain.pem\n  private_key: " << pki_dir()
                                        << "/g4/sbb-tls.key.pem\n  trust_anchors: " << trust_g3_and_g4() << "\n  crls: ["
                                        << crls_g3_and_g4() << "]\nwssecurity:\n  certificate: " << pki_dir()
                                        << "/g4/school-kvk-sign.chain.pem\n  private_key: " << pki_dir()
                                        << "/g4/school-kvk-sign.key.pem\n";
  auto r = run({edugate_binary(), "config", "check", dir + "/provider.yaml"});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("wssecurity.certificate: carries OIN 00000003412345670000, not this gateway's oin"),
            std::string::npos)
      << r.output;
  fs::remove_all(dir);
}

// The provider's own move, as docs/OPERATIONS.md describes it: first the G4 anchors and CRLs
// beside G3 (reload), then its own certificate swapped in place (reload); a connection opened
// before keeps being served, new ones see the G4 certificate, schools of both generations pass.
TEST(G4, TheProviderMovesFromG3ToG4ByReloadsWithoutDroppingAConnection) {
  ProviderOptions o;
  o.own_tls_files = true;  // <dir>/tls/{sbb.chain,sbb.key,trust,crls}.pem, changed in place
  Provider p(o);
  onboard_g4_school(p);
  const std::string tls = p.dir() + "/tls";
  Connection before(p.port(), "school-25be");
  EnvelopeSpec spec;
  spec.body = verifieer_body("100000001", "25180", "BBL");
  ASSERT_EQ(before.post(kPath, envelope(spec), kAction).status, 200);
  // Step 1: trust both generations.
  replace_file(tls + "/trust.pem", slurp(trust_g3_and_g4()));
  replace_file(tls + "/crls.pem", slurp(crls_g3_and_g4()));
  p.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return count_of(p.log(), "tls_reloaded") >= 1; }, 5000)) << p.log();
  spec.from = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSchoolKvk;
  Connection g4_school(p.port(), "g4/school-kvk-auth");
  EXPECT_EQ(g4_school.post(kPath, envelope(spec), kAction).status, 200) << g4_school.error();
  // Step 2: the own certificate and key, swapped (key first, then the chain: the reload that
  // sees a mismatch keeps the old pair and the next one takes both).
  replace_file(tls + "/sbb.key.pem", slurp(pki_dir() + "/g4/sbb-tls.key.pem"));
  replace_file(tls + "/sbb.chain.pem", slurp(pki_dir() + "/g4/sbb-tls.chain.pem"));
  p.signal(SIGHUP);
  auto served_by_g4 = [&] {
    auto ex = send_json_with(client("school-25be", kSchool25be, p.port()), "VerifieerErkenning", kVerifieer);
    auto g3_only = send_json("school-30gr", kSchool30gr, p.port(), "VerifieerErkenning", kVerifieer);
    return ex && !ex->is_fault && !g3_only;  // only a client that trusts G4 gets through now
  };
  EXPECT_TRUE(eventually(served_by_g4, 10000)) << p.log();
  spec.from = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSchool25be;
  EXPECT_EQ(before.post(kPath, envelope(spec), kAction).status, 200) << "the connection from before the moves was dropped";
  EXPECT_TRUE(p.alive());
}

// /readyz during a migration: green with the CRLs of both generations; a G4 CA without one is
// named there and in the refused handshake of a G4 school, as for G3.
TEST(G4, ReadyzIsGreenTrustingBothGenerationsAndNamesAG4CaWithoutACrl) {
  auto o = migrating("g4/sbb-tls");
  o.admin = true;
  {
    Provider p(o);
    auto r = http_get(p.admin_port(), "/readyz");
    EXPECT_EQ(r.status, 200) << r.body << r.error;
  }
  const std::string dir = make_temp_dir("g4");
  std::ofstream(dir + "/crls.pem") << slurp(pki_dir() + "/crl/root.crl.pem") << slurp(pki_dir() + "/crl/domain.crl.pem")
                                   << slurp(pki_dir() + "/crl/issuing.crl.pem") << slurp(pki_dir() + "/crl/g4-root.crl.pem")
                                   << slurp(pki_dir() + "/crl/g4-domain.crl.pem");
  o.crls = dir + "/crls.pem";
  Provider p(o);
  onboard_g4_school(p);
  const std::string issuing = "/C=NL/O=edugate TEST ONLY/CN=edugate TEST PKIoverheid Organisatie Services Issuing CA - G4";
  auto r = http_get(p.admin_port(), "/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("no CRL for CA '" + issuing + "'"), std::string::npos) << r.body;
  auto ex = send_json_with(client("g4/school-kvk-auth", kSchoolKvk, p.port()), "VerifieerErkenning", kVerifieer);
  EXPECT_FALSE(ex) << "a G4 school was served without its issuer's CRL";
  EXPECT_TRUE(eventually([&] { return p.log().find("\"ca\":\"" + issuing + "\"") != std::string::npos; }, 5000)) << p.log();
  fs::remove_all(dir);
}

namespace {
// The base64 of a PEM file's first certificate: what a BinarySecurityToken carries.
std::string token_of(const std::string& pem_file) {
  std::string text = slurp(pem_file), out;
  auto begin = text.find("-----BEGIN CERTIFICATE-----");
  auto end = text.find("-----END CERTIFICATE-----");
  for (char c : text.substr(begin + 27, end - begin - 27))
    if (c != '\n' && c != '\r') out += c;
  return out;
}
}  // namespace

// The signing certificate is swapped in place like the TLS files: the next answer carries the new one.
TEST(G4, ASigningCertificateOfItsOwnIsSwappedByAReload) {
  const std::string dir = make_temp_dir("g4");
  const std::string cert = dir + "/sign.chain.pem", key = dir + "/sign.key.pem";
  fs::copy_file(pki_dir() + "/g4/sbb-tls.chain.pem", cert);  // at first the TLS certificate signs (G3 style)
  fs::copy_file(pki_dir() + "/g4/sbb-tls.key.pem", key);
  Provider p(migrating("g4/sbb-tls", "wssecurity:\n  require_signed: [all]\n  certificate: " + cert + "\n  private_key: " + key + "\n"));
  onboard_g4_school(p);
  gateway::SendOptions o;
  o.sign = true;
  auto send = [&] {
    return send_json_with(client("g4/school-kvk-auth", kSchoolKvk, p.port(), "g4/school-kvk-sign"), "VerifieerErkenning",
                          kVerifieer, o);
  };
  auto first = send();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_NE(first->response.find(token_of(pki_dir() + "/g4/sbb-tls.cert.pem")), std::string::npos);
  replace_file(key, slurp(pki_dir() + "/g4/sbb-sign.key.pem"));
  replace_file(cert, slurp(pki_dir() + "/g4/sbb-sign.chain.pem"));
  p.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    auto ex = send();
    return ex && !ex->is_fault && ex->response.find(token_of(pki_dir() + "/g4/sbb-sign.cert.pem")) != std::string::npos;
  }, 10000)) << p.log();
  fs::remove_all(dir);
}
