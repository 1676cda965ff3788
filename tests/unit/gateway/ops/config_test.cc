#include "gateway/ops/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

using namespace edugate::gateway;

namespace {
const std::string kMin =
    "role: provider\n"
    "oin: \"00000003273785290000\"\n"
    "tls:\n  certificate: c.pem\n  private_key: k.pem\n  trust_anchors: t.pem\n  crls: [crl.pem]\n";

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "test.yaml", "/etc/edugate");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Config, MinimalConfigWithDefaults) {
  auto c = parse_config(kMin, "test.yaml", "/etc/edugate");
  EXPECT_EQ(c.oin.str(), "00000003273785290000");
  EXPECT_EQ(c.tls.certificate, "/etc/edugate/c.pem");
  EXPECT_EQ(c.max_body_bytes, 20u << 20);
  EXPECT_EQ(c.message_retention_days, 7);
  EXPECT_EQ(c.store_path, "/etc/edugate/var/edugate.db");
}

TEST(Config, UnknownKeyIsNamedWithItsLine) {
  auto e = error_of(kMin + "http:\n  max_body: 5\n");
  EXPECT_NE(e.find("test.yaml:9: http.max_body: unknown key"), std::string::npos) << e;
  EXPECT_NE(error_of(kMin + "colour: blue\n").find("colour: unknown key"), std::string::npos);
}

TEST(Config, WrongTypeIsNamed) {
  auto e = error_of(kMin + "listen:\n  port: eighty\n");
  EXPECT_NE(e.find("listen.port: must be an integer"), std::string::npos) << e;
  e = error_of(kMin + "tls2: 1\n");
  EXPECT_NE(e.find("tls2"), std::string::npos);
}

TEST(Config, BadOinAndRole) {
  EXPECT_NE(error_of("role: provider\noin: \"123\"\n").find("oin: not a valid OIN"), std::string::npos);
  EXPECT_NE(error_of("role: both\noin: \"00000003273785290000\"\n").find("role: must be provider or consumer"),
            std::string::npos);
}

TEST(Config, RevocationNeedsCrls) {
  std::string y = "role: provider\noin: \"00000003273785290000\"\n"
                  "tls:\n  certificate: c.pem\n  private_key: k.pem\n  trust_anchors: t.pem\n";
  EXPECT_NE(error_of(y).find("tls.crls"), std::string::npos);
}

TEST(Config, ASigningCertificateOfItsOwnNeedsItsKeyAndChangesOnlyByRestart) {
  auto c = parse_config(kMin + "wssecurity:\n  certificate: sign.pem\n  private_key: sign.key.pem\n", "test.yaml", "/etc/edugate");
  EXPECT_EQ(c.tls.signing_certificate, "/etc/edugate/sign.pem");
  EXPECT_EQ(c.tls.signing_private_key, "/etc/edugate/sign.key.pem");
  EXPECT_TRUE(parse_config(kMin, "test.yaml", "/etc/edugate").tls.signing_certificate.empty()) << "default: the TLS certificate signs";
  EXPECT_NE(error_of(kMin + "wssecurity:\n  certificate: sign.pem\n").find("wssecurity.private_key: required key is missing"),
            std::string::npos);
  EXPECT_NE(error_of(kMin + "wssecurity:\n  private_key: sign.key.pem\n").find("wssecurity.certificate: required key is missing"),
            std::string::npos);
  auto running = parse_config(kMin, "test.yaml", "/etc/edugate");
  auto keys = keys_needing_restart(running, c);
  EXPECT_NE(std::find(keys.begin(), keys.end(), "wssecurity.certificate"), keys.end());
}

TEST(Config, BodyLimitCannotExceedTwentyMiB) {
  EXPECT_NE(error_of(kMin + "http:\n  max_body_bytes: 30000000\n").find("http.max_body_bytes"), std::string::npos);
}

TEST(Config, ServicesAndRemote) {
  auto c = parse_config(kMin + "services:\n  leerbedrijf:\n    adapter: sqlite\n    settings:\n      path: x.db\n"
                               "remote:\n  url: https://127.0.0.1:8443\n  oin: \"00000003273785290000\"\n",
                        "t.yaml", "/b");
  ASSERT_EQ(c.services.count("leerbedrijf"), 1u);
  EXPECT_EQ(c.services["leerbedrijf"].settings["path"].as<std::string>(), "x.db");
  EXPECT_EQ(c.remote_url, "https://127.0.0.1:8443");
  EXPECT_NE(error_of(kMin + "remote:\n  url: http://x\n  oin: \"00000003273785290000\"\n").find("remote.url"),
            std::string::npos);
}

// yaml-cpp refuses to assign the node of a missing key: a service block without `settings` was a
// crash of the configuration reader ("invalid node") instead of an empty mapping.
TEST(Config, AServiceWithoutSettingsGetsAnEmptyMapping) {
  auto c = parse_config(kMin + "services:\n  leerbedrijf:\n    enabled: false\n  bpvmonitor:\n    adapter: sqlite\n",
                        "t.yaml", "/b");
  ASSERT_EQ(c.services.count("leerbedrijf"), 1u);
  EXPECT_FALSE(c.services["leerbedrijf"].enabled);
  EXPECT_TRUE(c.services["leerbedrijf"].settings.IsMap());
  EXPECT_EQ(c.services["leerbedrijf"].settings.size(), 0u);
  EXPECT_TRUE(c.services["bpvmonitor"].settings.IsMap());
  EXPECT_NE(error_of(kMin + "services:\n  leerbedrijf:\n    settings: [a]\n").find("services.leerbedrijf.settings: must be a mapping"),
            std::string::npos);
}

TEST(Config, AKeyTwiceInOneMappingIsRefusedNamingBothLines) {
  const std::string e = error_of(kMin + "http:\n  header_timeout_ms: 2000\n  idle_timeout_ms: 5\n  header_timeout_ms: 120000\n");
  EXPECT_NE(e.find("http.header_timeout_ms: duplicate key (first at line"), std::string::npos) << e;
  EXPECT_NE(error_of(kMin + "role: consumer\n").find("role: duplicate key"), std::string::npos);
  // The same key in two different mappings is fine.
  EXPECT_NO_THROW(parse_config(kMin + "http:\n  header_timeout_ms: 2000\nworkers:\n  threads: 2\n", "t.yaml", "/b"));
}

TEST(Config, ShippedExamplesAreValid) {
  for (const char* f : {"edugate.example.yaml", "quickstart-provider.yaml", "quickstart-school.yaml",
                        "quickstart-vendor.yaml"}) {
    EXPECT_NO_THROW(load_config(std::string(EDUGATE_SOURCE_DIR) + "/deploy/config/" + f)) << f;
  }
}

TEST(Config, CrlFetchIsOffByDefaultAndValidated) {
  auto c = parse_config(kMin, "test.yaml", "/etc/edugate");
  EXPECT_FALSE(c.crl_fetch.enabled);
  EXPECT_TRUE(c.tls.crl_cache_dir.empty()) << "no fetched CRLs are loaded unless fetching is on";
  auto on = parse_config(kMin + "crl_fetch:\n  enabled: true\n  intermediates: [ca.pem]\n"
                                "  urls: [\"http://crl.example.test/ca.crl\"]\n",
                         "test.yaml", "/etc/edugate");
  EXPECT_TRUE(on.crl_fetch.enabled);
  EXPECT_EQ(on.crl_fetch.refresh_interval_s, 3600);
  EXPECT_EQ(on.crl_fetch.cache_dir, "/etc/edugate/var/crl-cache");
  EXPECT_EQ(on.tls.crl_cache_dir, on.crl_fetch.cache_dir);
  EXPECT_EQ(on.crl_fetch.intermediates, std::vector<std::string>{"/etc/edugate/ca.pem"});
  EXPECT_EQ(on.crl_fetch.urls.size(), 1u);
  EXPECT_NE(error_of(kMin + "crl_fetch:\n  refresh_interval_s: 14401\n").find("crl_fetch.refresh_interval_s: must be <= 14400"),
            std::string::npos);
  EXPECT_NE(error_of(kMin + "crl_fetch:\n  url_base: ftp://x\n").find("crl_fetch.url_base"), std::string::npos);
  EXPECT_NE(error_of(kMin + "crl_fetch:\n  urls: [\"ldap://x\"]\n").find("crl_fetch.urls"), std::string::npos);
  EXPECT_NE(error_of(kMin + "crl_fetch:\n  interval: 5\n").find("crl_fetch.interval: unknown key"), std::string::npos);
}

TEST(Config, OcspPreferredForPeersStapledForUsAndValidated) {
  auto c = parse_config(kMin, "test.yaml", "/etc/edugate");
  EXPECT_EQ(c.tls.ocsp.peers, edugate::security::OcspPolicy::prefer);
  EXPECT_TRUE(c.tls.ocsp.staple);
  EXPECT_EQ(c.tls.ocsp.timeout_ms, 2000);
  EXPECT_TRUE(c.crl_fetch.learn_from_peers);
  EXPECT_EQ(c.crl_fetch.max_learned, 32u);
  auto r = parse_config(kMin + "  ocsp:\n    peers: require\n    staple: false\n    responder_url: http://ocsp.lab:8098/\n"
                               "    timeout_ms: 500\n    failure_retry_s: 5\n    max_cache_s: 600\n"
                               "crl_fetch:\n  learn_from_peers: false\n  max_learned: 4\n",
                        "test.yaml", "/etc/edugate");
  EXPECT_EQ(r.tls.ocsp.peers, edugate::security::OcspPolicy::require);
  EXPECT_FALSE(r.tls.ocsp.staple);
  EXPECT_EQ(r.tls.ocsp.responder_url, "http://ocsp.lab:8098/");
  EXPECT_EQ(r.tls.ocsp.timeout_ms, 500);
  EXPECT_EQ(r.tls.ocsp.failure_retry_s, 5);
  EXPECT_EQ(r.tls.ocsp.max_cache_s, 600);
  EXPECT_FALSE(r.crl_fetch.learn_from_peers);
  EXPECT_EQ(r.crl_fetch.max_learned, 4u);
  EXPECT_EQ(keys_needing_restart(c, r), (std::vector<std::string>{"tls.ocsp", "crl_fetch"}));
  EXPECT_NE(error_of(kMin + "  ocsp:\n    peers: always\n").find("tls.ocsp.peers: must be off, prefer or require"),
            std::string::npos);
  EXPECT_NE(error_of(kMin + "  ocsp:\n    timeout_ms: 10001\n").find("tls.ocsp.timeout_ms: must be <= 10000"),
            std::string::npos);
  EXPECT_NE(error_of(kMin + "  ocsp:\n    responder_url: https://x/\n").find("tls.ocsp.responder_url"), std::string::npos);
  EXPECT_NE(error_of(kMin + "  ocsp:\n    nonce: true\n").find("tls.ocsp.nonce: unknown key"), std::string::npos);
  EXPECT_NE(error_of(kMin + "  check_revocation: false\n  ocsp:\n    peers: require\n").find("tls.ocsp.peers: require needs"),
            std::string::npos);
}

TEST(Config, CrlFetchMayStandInForCrlFiles) {
  const std::string no_crls = "role: provider\noin: \"00000003273785290000\"\n"
                              "tls:\n  certificate: c.pem\n  private_key: k.pem\n  trust_anchors: t.pem\n";
  EXPECT_NO_THROW(parse_config(no_crls + "crl_fetch:\n  enabled: true\n", "t.yaml", "/b"));
  EXPECT_NE(error_of(no_crls + "  check_revocation: false\ncrl_fetch:\n  enabled: true\n").find("crl_fetch.enabled"),
            std::string::npos);
}

TEST(Config, SessionTicketsAndTheirLifetime) {
  auto c = parse_config(kMin, "test.yaml", "/etc/edugate");
  EXPECT_TRUE(c.tls.session_tickets);
  EXPECT_EQ(c.tls.ticket_key_rotation_s, 3600);
  EXPECT_EQ(c.tls.session_lifetime_s, 3600);
  auto short_lived = parse_config(kMin + "  ticket_key_rotation_s: 60\n  session_tickets: false\n"
                                         "http:\n  max_connection_lifetime_ms: 300000\n",
                                  "test.yaml", "/etc/edugate");
  EXPECT_EQ(short_lived.tls.ticket_key_rotation_s, 60);
  EXPECT_FALSE(short_lived.tls.session_tickets);
  EXPECT_EQ(short_lived.tls.session_lifetime_s, 300) << "WT008: no longer than a connection";
  EXPECT_NE(error_of(kMin + "  ticket_key_rotation_s: 0\n").find("tls.ticket_key_rotation_s"), std::string::npos);
}

TEST(Config, AdminListenerIsOffUnlessAPortIsGiven) {
  auto c = parse_config(kMin, "test.yaml", "/etc/edugate");
  EXPECT_FALSE(c.admin_enabled);
  EXPECT_EQ(c.shutdown_grace_ms, 10000);
  c = parse_config(kMin + "admin:\n  address: 127.0.0.1\n", "test.yaml", "/etc/edugate");
  EXPECT_FALSE(c.admin_enabled) << "a block without a port stays off";
  c = parse_config(kMin + "admin:\n  port: 9180\n  min_cert_days: 30\n  max_crl_age_s: 86400\n"
                          "  ready_requires_fresh_crls: false\nshutdown_grace_ms: 2500\n",
                   "test.yaml", "/etc/edugate");
  EXPECT_TRUE(c.admin_enabled);
  EXPECT_EQ(c.admin_address, "127.0.0.1");
  EXPECT_EQ(c.admin_port, 9180);
  EXPECT_EQ(c.admin_min_cert_days, 30);
  EXPECT_EQ(c.admin_max_crl_age_s, 86400);
  EXPECT_FALSE(c.admin_ready_requires_fresh_crls);
  EXPECT_EQ(c.shutdown_grace_ms, 2500);
  EXPECT_TRUE(parse_config(kMin + "admin:\n  port: 0\n", "test.yaml", "/etc/edugate").admin_enabled) << "0: any free port";
  EXPECT_NE(error_of(kMin + "admin:\n  port: 70000\n").find("admin.port: must be <= 65535"), std::string::npos);
  EXPECT_NE(error_of(kMin + "admin:\n  prot: 1\n").find("admin.prot: unknown key"), std::string::npos);
  EXPECT_NE(error_of(kMin + "listen:\n  port: 8443\nadmin:\n  port: 8443\n").find("admin.port: must differ"), std::string::npos);
  EXPECT_NE(error_of(kMin + "shutdown_grace_ms: soon\n").find("shutdown_grace_ms: must be an integer"), std::string::npos);
}

TEST(Config, AdminChangeNeedsRestart) {
  auto a = parse_config(kMin, "test.yaml", "/etc/edugate");
  auto b = parse_config(kMin + "admin:\n  port: 9180\n", "test.yaml", "/etc/edugate");
  EXPECT_EQ(keys_needing_restart(a, b), std::vector<std::string>{"admin"});
  auto g = parse_config(kMin + "shutdown_grace_ms: 1\n", "test.yaml", "/etc/edugate");
  EXPECT_TRUE(keys_needing_restart(a, g).empty()) << "the grace applies at once";
}

TEST(Config, PostgresStoreTakesItsDsnFromTheFileOrTheEnvironment) {
  EXPECT_EQ(parse_config(kMin, "test.yaml", "/etc/edugate").store_kind, "sqlite");
  EXPECT_NE(error_of(kMin + "store:\n  kind: mysql\n").find("store.kind: must be sqlite or postgres"), std::string::npos);
  EXPECT_NE(error_of(kMin + "store:\n  kind: postgres\n").find("store.dsn: required"), std::string::npos);
  auto c = parse_config(kMin + "store:\n  kind: postgres\n  dsn: \"host=/tmp dbname=e\"\n  migrate: auto\n", "test.yaml", "/etc");
  EXPECT_EQ(c.store_dsn, "host=/tmp dbname=e");
  EXPECT_TRUE(c.store_migrate_auto);
  EXPECT_NE(error_of(kMin + "store:\n  kind: postgres\n  dsn: x\n  migrate: sometimes\n").find("store.migrate"),
            std::string::npos);
  unsetenv("EDUGATE_TEST_CONFIG_DSN");
  EXPECT_NE(error_of(kMin + "store:\n  kind: postgres\n  dsn_env: EDUGATE_TEST_CONFIG_DSN\n").find("is not set"),
            std::string::npos);
  setenv("EDUGATE_TEST_CONFIG_DSN", "postgresql://e:geheim@db/e", 1);
  EXPECT_EQ(parse_config(kMin + "store:\n  kind: postgres\n  dsn_env: EDUGATE_TEST_CONFIG_DSN\n", "t.yaml", "/").store_dsn,
            "postgresql://e:geheim@db/e");
  EXPECT_NE(error_of(kMin + "store:\n  dsn: x\n").find("only for kind postgres"), std::string::npos);
  // A claimed push must end within its lease.
  EXPECT_NE(error_of(kMin + "outbox:\n  send_timeout_ms: 5000\n  lease_ms: 4000\n").find("outbox.lease_ms"), std::string::npos);
  EXPECT_EQ(parse_config(kMin, "test.yaml", "/etc").outbox_lease_ms, 60000);
}

// The Kubernetes example's edugate.yaml (deploy/k8s/configmap.yaml) is a valid configuration:
// several instances on one PostgreSQL store, the admin listener on the pod IP.
TEST(Config, TheKubernetesConfigMapIsAValidPostgresConfiguration) {
  std::string edugate_yaml;
  for (const auto& d : YAML::LoadAllFromFile(std::string(EDUGATE_SOURCE_DIR) + "/deploy/k8s/configmap.yaml"))
    if (d["kind"] && d["kind"].as<std::string>() == "ConfigMap") edugate_yaml = d["data"]["edugate.yaml"].as<std::string>();
  ASSERT_FALSE(edugate_yaml.empty());
  auto c = parse_config(edugate_yaml, "configmap.yaml", "/etc/edugate");
  EXPECT_EQ(c.store_kind, "postgres");
  EXPECT_FALSE(c.store_dsn.empty());
  EXPECT_TRUE(c.admin_enabled);
  EXPECT_EQ(c.admin_address, "0.0.0.0");
}

TEST(Config, LogLinesAreBatchedForTwoMillisecondsUnlessSaidOtherwise) {
  EXPECT_EQ(parse_config(kMin, "test.yaml", "/etc/edugate").log_batch_ms, 2);
  EXPECT_EQ(parse_config(kMin + "log:\n  batch_ms: 0\n", "test.yaml", "/etc/edugate").log_batch_ms, 0);
  EXPECT_NE(error_of(kMin + "log:\n  batch_ms: 5000\n").find("log.batch_ms: must be <= 1000"), std::string::npos);
  EXPECT_NE(error_of(kMin + "log:\n  batch_ms: -1\n").find("log.batch_ms"), std::string::npos);
}
