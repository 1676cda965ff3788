// The internal listener's configuration and the JSON bridge's pure parts: the Idempotency-Key
// -> MessageID rule, problem documents, and the OpenAPI document derived from the contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "gateway/outbound/bridge.h"
#include "gateway/ops/config.h"
#include "gateway/outbound/openapi.h"

using namespace edugate;
using namespace edugate::gateway;
using json = nlohmann::ordered_json;

namespace {
const std::string kConsumer =
    "role: consumer\n"
    "oin: \"0000000700025BE00000\"\n"
    "tls:\n  certificate: c.pem\n  private_key: k.pem\n  trust_anchors: t.pem\n  crls: [crl.pem]\n";

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "test.yaml", "/etc/edugate");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
const Oin k25be = *Oin::parse("0000000700025BE00000");
const Oin k30gr = *Oin::parse("0000000700030GR00000");
}  // namespace

TEST(InternalConfig, OffUnlessAPortIsGiven) {
  EXPECT_FALSE(parse_config(kConsumer, "t.yaml", "").internal_enabled);
  EXPECT_FALSE(parse_config(kConsumer + "internal:\n  address: 127.0.0.1\n", "t.yaml", "").internal_enabled);
  auto c = parse_config(kConsumer + "internal:\n  port: 8480\n  max_body_bytes: 4096\n  threads: 2\n", "t.yaml", "");
  EXPECT_TRUE(c.internal_enabled);
  EXPECT_EQ(c.internal_port, 8480);
  EXPECT_EQ(c.internal_address, "127.0.0.1");
  EXPECT_EQ(c.internal_max_body_bytes, 4096u);
  EXPECT_EQ(c.internal_threads, 2);
}

TEST(InternalConfig, BadKeysAndValuesAreNamed) {
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 8480\n  tls: true\n").find("internal.tls: must be a mapping"), std::string::npos);
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: eighty\n").find("internal.port: must be an integer"), std::string::npos);
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 70000\n").find("internal.port: must be <= 65535"), std::string::npos);
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 1\n  max_body_bytes: 10\n").find("internal.max_body_bytes"),
            std::string::npos);
  EXPECT_NE(error_of(kConsumer + "listen:\n  port: 8444\ninternal:\n  port: 8444\n").find("internal.port: must differ"),
            std::string::npos);
  std::string provider = kConsumer;
  provider.replace(provider.find("consumer"), 8, "provider");
  EXPECT_NE(error_of(provider + "internal:\n  port: 8480\n").find("internal: only for role consumer"), std::string::npos);
}

TEST(InternalConfig, TlsFilesMustExistAndAreNamed) {
  // /etc/hostname and /etc/passwd stand in for files that exist (parse_config only checks that).
  auto c = parse_config(kConsumer + "internal:\n  port: 8480\n  idle_timeout_ms: 5000\n"
                                    "  tls:\n    certificate: /etc/hostname\n    private_key: /etc/passwd\n",
                        "t.yaml", "");
  EXPECT_EQ(c.internal_tls_certificate, "/etc/hostname");
  EXPECT_EQ(c.internal_tls_private_key, "/etc/passwd");
  EXPECT_EQ(c.internal_tls_client_ca, "");
  EXPECT_EQ(c.internal_idle_timeout_ms, 5000);
  EXPECT_FALSE(parse_config(kConsumer + "internal:\n  port: 8480\n", "t.yaml", "").internal_tls_certificate.size());
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 1\n  tls:\n    certificate: /nonexistent/c.pem\n    private_key: /etc/passwd\n")
                .find("internal.tls.certificate: no such file: /nonexistent/c.pem"),
            std::string::npos);
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 1\n  tls:\n    certificate: /etc/hostname\n")
                .find("internal.tls.private_key: required key is missing"),
            std::string::npos);
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 1\n  tls:\n    certificate: /etc/hostname\n    private_key: /etc/passwd\n"
                                 "    client_ca: ca.pem\n")
                .find("internal.tls.client_ca: no such file: /etc/edugate/ca.pem"),
            std::string::npos);
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 1\n  tls:\n    certificate: /etc/hostname\n    private_key: /etc/passwd\n"
                                 "    ciphers: ALL\n")
                .find("internal.tls.ciphers: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(kConsumer + "internal:\n  port: 1\n  idle_timeout_ms: 0\n").find("internal.idle_timeout_ms: must be >= 1"),
            std::string::npos);
}

TEST(IdempotencyKey, AUuidIsTheMessageIdItself) {
  auto bare = message_id_for_key("2D6C0A3E-8F1B-4C7D-9A2E-5B4F3C2D1E0F", k25be);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->str(), "urn:uuid:2d6c0a3e-8f1b-4c7d-9a2e-5b4f3c2d1e0f");
  auto urn = message_id_for_key("urn:uuid:2d6c0a3e-8f1b-4c7d-9a2e-5b4f3c2d1e0f", k30gr);
  ASSERT_TRUE(urn.ok());
  EXPECT_EQ(urn->str(), "urn:uuid:2d6c0a3e-8f1b-4c7d-9a2e-5b4f3c2d1e0f");
}

TEST(IdempotencyKey, OtherKeysGiveAVersion5UuidPerSchool) {
  auto a = message_id_for_key("order-42", k25be), again = message_id_for_key("order-42", k25be);
  auto other_school = message_id_for_key("order-42", k30gr), other_key = message_id_for_key("order-43", k25be);
  ASSERT_TRUE(a && again && other_school && other_key);
  EXPECT_EQ(a->str(), again->str());
  EXPECT_NE(a->str(), other_school->str());
  EXPECT_NE(a->str(), other_key->str());
  EXPECT_EQ(a->str()[9 + 14], '5');  // version nibble
  EXPECT_TRUE(std::string("89ab").find(a->str()[9 + 19]) != std::string::npos);  // RFC 4122 variant
}

TEST(IdempotencyKey, EmptyTooLongOrUnprintableIsRefusedNamingTheHeader) {
  for (std::string bad : {std::string(), std::string(201, 'k'), std::string("a\nb"), std::string("caf\xc3\xa9")}) {
    auto m = message_id_for_key(bad, k25be);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().field, "Idempotency-Key");
  }
}

TEST(Problem, IsRfc9457WithTheCodeAndField) {
  auto a = problem(409, "DK0011", "al gebruikt", "Idempotency-Key", {{"message_id", "urn:uuid:x"}});
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.content_type, "application/problem+json");
  auto j = json::parse(a.body);
  EXPECT_EQ(j["type"], "urn:edugate:probleem:dk0011");
  EXPECT_EQ(j["title"], "Conflict");
  EXPECT_EQ(j["status"], 409);
  EXPECT_EQ(j["detail"], "al gebruikt");
  EXPECT_EQ(j["code"], "DK0011");
  EXPECT_EQ(j["field"], "Idempotency-Key");
  EXPECT_EQ(j["message_id"], "urn:uuid:x");
  bool retry_after = false;
  for (const auto& [k, v] : problem(503, "DK0051", "later", "").headers) retry_after |= k == "Retry-After";
  EXPECT_TRUE(retry_after);
}

TEST(OpenApi, EveryBridgeOperationWithSchemasFromTheXsd) {
  auto model = XsdModel::load(EDUGATE_SOURCE_DIR "/wsdl");
  std::vector<ServiceContract> contracts;
  for (const auto& s : bridge_services()) contracts.push_back(load_contract(EDUGATE_SOURCE_DIR "/wsdl", s));
  auto doc = openapi_document(*model, contracts);
  std::size_t ops = 0;
  for (const auto& c : contracts) ops += c.operations.size();
  EXPECT_EQ(doc["paths"].size(), ops + 1);  // + /v1/openapi.json
  const auto& schemas = doc["components"]["schemas"];
  ASSERT_TRUE(schemas.contains("lb_VerifieerErkenningVerzoek"));
  const auto& in = schemas["lb_VerifieerErkenningVerzoek"];
  EXPECT_EQ(in["type"], "object");
  EXPECT_TRUE(in["properties"].contains("LeerbedrijfID"));
  EXPECT_NE(std::find(in["required"].begin(), in["required"].end(), "Leerweg"), in["required"].end());
  // A repeated element of a named XSD type: an array of a shared component.
  const auto& out = schemas["lb_VerifieerErkenningAntwoord"];
  EXPECT_EQ(out["properties"]["Melding"]["type"], "array");
  EXPECT_EQ(out["properties"]["Melding"]["items"]["$ref"], "#/components/schemas/gem_Melding");
  EXPECT_EQ(out["properties"]["Erkend"]["type"], "boolean");
  // No dangling reference.
  std::function<void(const json&)> check = [&](const json& j) {
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.key() == "$ref") {
          std::string name = it.value().get<std::string>().substr(std::string("#/components/schemas/").size());
          EXPECT_TRUE(schemas.contains(name)) << name;
        } else {
          check(it.value());
        }
      }
    } else if (j.is_array()) {
      for (const auto& e : j) check(e);
    }
  };
  check(doc);
}
