// The happy path of every Leerbedrijf operation through the real binary over mutual TLS, the
// replay rule, and 50 concurrent keep-alive clients.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::json;
namespace fx = edugate::adapters::db::fixtures;

namespace {

json call(Provider& p, const std::string& op, const json& req, const std::string& stem = "school-25be",
          const std::string& oin = kSchool25be) {
  auto ex = send_json(stem, oin, p.port(), op, req.dump());
  EXPECT_TRUE(ex) << (ex ? "" : ex.error().code + " " + ex.error().message);
  if (!ex) return json();
  EXPECT_EQ(ex->http_status, 200) << ex->response;
  EXPECT_FALSE(ex->is_fault) << ex->faultstring;
  return json::parse(body_json(*ex));
}

bool has_melding(const json& body, const std::string& veld) {
  if (!body.contains("Melding")) return false;
  for (const auto& m : body["Melding"])
    if (m.value("Veld", "") == veld) return true;
  return false;
}

// The code of the Melding about `veld` (the catalogue's entry, core/rules.h), or "".
std::string melding_code(const json& body, const std::string& veld) {
  if (!body.contains("Melding")) return "";
  for (const auto& m : body["Melding"])
    if (m.value("Veld", "") == veld) return m.value("Code", "");
  return "";
}

}  // namespace

TEST(Leerbedrijf, VerifieerErkenningErkend) {
  Provider p;
  auto b = call(p, "VerifieerErkenning", {{"LeerbedrijfID", fx::kErkendId}, {"Crebo", fx::kErkendCrebo}, {"Leerweg", "BOL"}});
  EXPECT_EQ(b["Erkend"], true) << b.dump();
  EXPECT_EQ(b["SignaalCode"], "ERKEND");
  EXPECT_TRUE(b.contains("Begindatum"));
  EXPECT_FALSE(b.contains("Melding"));
}

TEST(Leerbedrijf, VerifieerErkenningIngetrokkenEnVerlopen) {
  Provider p;
  auto b = call(p, "VerifieerErkenning",
                {{"LeerbedrijfID", fx::kIngetrokkenId}, {"Crebo", fx::kIngetrokkenCrebo}, {"Leerweg", "BOL"}});
  EXPECT_EQ(b["Erkend"], false);
  EXPECT_EQ(b["SignaalCode"], "INGETROKKEN") << b.dump();
  b = call(p, "VerifieerErkenning", {{"LeerbedrijfID", fx::kVerlopenId}, {"Crebo", fx::kVerlopenCrebo}, {"Leerweg", "BOL"}});
  EXPECT_EQ(b["Erkend"], false);
  EXPECT_EQ(b["SignaalCode"], "VERLOPEN") << b.dump();
}

TEST(Leerbedrijf, VerifieerErkenningOnbekendEnOngeldigGevenMeldingen) {
  Provider p;
  auto b = call(p, "VerifieerErkenning", {{"LeerbedrijfID", "999999998"}, {"Crebo", "25180"}, {"Leerweg", "BOL"}});
  EXPECT_EQ(b["Erkend"], false);
  EXPECT_TRUE(has_melding(b, "LeerbedrijfID")) << b.dump();
  b = call(p, "VerifieerErkenning", {{"LeerbedrijfID", "12AB"}, {"Crebo", "2518"}, {"Leerweg", "XYZ"}, {"Peildatum", "2026-02-30"}});
  EXPECT_EQ(b["Erkend"], false);
  EXPECT_TRUE(has_melding(b, "LeerbedrijfID"));
  EXPECT_TRUE(has_melding(b, "Crebo"));
  EXPECT_TRUE(has_melding(b, "Leerweg"));
  EXPECT_TRUE(has_melding(b, "Peildatum")) << b.dump();
  EXPECT_EQ(melding_code(b, "LeerbedrijfID"), "ONGELDIG-LEERBEDRIJFID") << b.dump();
  EXPECT_EQ(melding_code(b, "Crebo"), "ONGELDIG-CREBO");
  EXPECT_EQ(melding_code(b, "Leerweg"), "ONGELDIG-LEERWEG");
}

TEST(Leerbedrijf, VerifieerErkenningSamengevoegd) {
  Provider p;
  auto b = call(p, "VerifieerErkenning",
                {{"LeerbedrijfID", fx::kSamengevoegdOudId}, {"Crebo", fx::kErkendCrebo}, {"Leerweg", "BOL"}});
  EXPECT_EQ(b["SignaalCode"], "SAMENGEVOEGD") << b.dump();
  EXPECT_NE(b["SignaalOmschrijving"].get<std::string>().find(fx::kSamengevoegdNieuwId), std::string::npos) << b.dump();
}

TEST(Leerbedrijf, IdentificeerOpIdKvkEnNaam) {
  Provider p;
  auto b = call(p, "IdentificeerLeerbedrijf", {{"LeerbedrijfID", fx::kErkendId}});
  ASSERT_EQ(b["Leerbedrijf"].size(), 1u) << b.dump();
  EXPECT_EQ(b["Leerbedrijf"][0]["LeerbedrijfID"], fx::kErkendId);
  b = call(p, "IdentificeerLeerbedrijf", {{"KvkNummer", fx::kKvk}, {"Vestigingsnummer", fx::kVestiging}});
  ASSERT_GE(b["Leerbedrijf"].size(), 1u) << b.dump();
  EXPECT_EQ(b["Leerbedrijf"][0]["KvkNummer"], fx::kKvk);
  b = call(p, "IdentificeerLeerbedrijf", {{"Naam", fx::kNaam}, {"Plaats", fx::kPlaats}});
  ASSERT_GE(b["Leerbedrijf"].size(), 1u) << b.dump();
  EXPECT_EQ(b["Leerbedrijf"][0]["Adres"]["Plaats"], fx::kPlaats);
  b = call(p, "IdentificeerLeerbedrijf", json::object());
  EXPECT_FALSE(b.contains("Leerbedrijf"));
  EXPECT_TRUE(b.contains("Melding")) << b.dump();
}

TEST(Leerbedrijf, GeefLeerbedrijfDetails) {
  Provider p;
  auto b = call(p, "GeefLeerbedrijfDetails", {{"LeerbedrijfID", fx::kErkendId}});
  ASSERT_TRUE(b.contains("Leerbedrijf")) << b.dump();
  const auto& d = b["Leerbedrijf"];
  EXPECT_EQ(d["LeerbedrijfID"], fx::kErkendId);
  ASSERT_GE(d["Erkenning"].size(), 1u);
  EXPECT_GE(d["Praktijkopleider"].size(), 1u);
  bool found = false;
  for (const auto& e : d["Erkenning"]) found |= e["Crebo"] == fx::kErkendCrebo && e["Status"] == "erkend";
  EXPECT_TRUE(found) << d.dump();
  b = call(p, "GeefLeerbedrijfDetails", {{"LeerbedrijfID", "999999998"}});
  EXPECT_FALSE(b.contains("Leerbedrijf"));
  EXPECT_TRUE(has_melding(b, "LeerbedrijfID"));
}

TEST(Leerbedrijf, ZoekLeerbedrijvenGepagineerd) {
  Provider p;
  auto b = call(p, "ZoekLeerbedrijven", {{"Crebo", fx::kErkendCrebo}, {"Pagina", 1}, {"PaginaGrootte", 5}});
  EXPECT_GT(b["TotaalAantal"].get<int>(), 5) << b.dump();
  EXPECT_EQ(b["Leerbedrijf"].size(), 5u);
  auto b2 = call(p, "ZoekLeerbedrijven", {{"Crebo", fx::kErkendCrebo}, {"Pagina", 2}, {"PaginaGrootte", 5}});
  EXPECT_EQ(b2["Pagina"], 2);
  EXPECT_NE(b["Leerbedrijf"][0]["LeerbedrijfID"], b2["Leerbedrijf"][0]["LeerbedrijfID"]);
  auto near = call(p, "ZoekLeerbedrijven", {{"Plaats", fx::kPlaats}, {"MaxAfstandKm", 25}});
  ASSERT_GE(near["Leerbedrijf"].size(), 1u) << near.dump();
  for (const auto& l : near["Leerbedrijf"]) EXPECT_LE(l["AfstandKm"].get<double>(), 25.0);
  auto bad = call(p, "ZoekLeerbedrijven", {{"Crebo", "25180"}, {"PaginaGrootte", 1000}});
  EXPECT_TRUE(has_melding(bad, "PaginaGrootte"));
  EXPECT_EQ(melding_code(bad, "PaginaGrootte"), "ONGELDIG-PAGINAGROOTTE") << bad.dump();
  bad = call(p, "ZoekLeerbedrijven", {{"Crebo", "25180"}, {"Pagina", 0}});
  EXPECT_EQ(melding_code(bad, "Pagina"), "ONGELDIG-PAGINA") << bad.dump();
  bad = call(p, "ZoekLeerbedrijven", {{"Plaats", fx::kPlaats}, {"MaxAfstandKm", 301}});
  EXPECT_EQ(melding_code(bad, "MaxAfstandKm"), "ONGELDIG-AFSTAND") << bad.dump();
}

TEST(Leerbedrijf, VoordragenErkenningIsIdempotentPerBericht) {
  Provider p;
  json req = {{"KvkNummer", "87654321"},
              {"Naam", "Fietsenmakerij De Spaak"},
              {"Adres", {{"Straat", "Dorpsstraat"}, {"Huisnummer", "1"}, {"Postcode", "7511 AA"}, {"Plaats", "Enschede"}}},
              {"Crebo", fx::kErkendCrebo},
              {"Leerweg", "BBL"},
              {"Contactpersoon", {{"Naam", "J. Jansen"}, {"Email", "info@spaak.example"}}}};
  auto b = call(p, "VoordragenErkenning", req);
  ASSERT_TRUE(b.contains("VoordrachtID")) << b.dump();
  EXPECT_EQ(b["Status"], "ontvangen");
  auto again = call(p, "VoordragenErkenning", req);
  EXPECT_NE(again["VoordrachtID"], b["VoordrachtID"]) << "a new message is a new voordracht";
  req["Contactpersoon"]["Email"] = "geen-adres";
  auto bad = call(p, "VoordragenErkenning", req);
  EXPECT_FALSE(bad.contains("VoordrachtID"));
  EXPECT_TRUE(has_melding(bad, "Contactpersoon/Email")) << bad.dump();
}

// Each refusal of a field is a Melding with its catalogue code (core/rules.h) and the field.
TEST(Leerbedrijf, MeldingenCarryTheCatalogueCodeOfTheirField) {
  Provider p;
  auto b = call(p, "IdentificeerLeerbedrijf", {{"KvkNummer", "123"}});
  EXPECT_EQ(melding_code(b, "KvkNummer"), "ONGELDIG-KVK") << b.dump();
  b = call(p, "IdentificeerLeerbedrijf", {{"KvkNummer", fx::kKvk}, {"Vestigingsnummer", "12"}});
  EXPECT_EQ(melding_code(b, "Vestigingsnummer"), "ONGELDIG-VESTIGING") << b.dump();
  b = call(p, "IdentificeerLeerbedrijf", {{"Vestigingsnummer", fx::kVestiging}});
  EXPECT_EQ(melding_code(b, "Vestigingsnummer"), "CRITERIUM") << b.dump();
  json voordracht = {{"KvkNummer", "87654321"},
                     {"Naam", " "},
                     {"Adres", {{"Straat", "Dorpsstraat"}, {"Huisnummer", "1"}, {"Postcode", "7511 AA"}, {"Plaats", "Enschede"}}},
                     {"Crebo", fx::kErkendCrebo},
                     {"Leerweg", "BBL"},
                     {"Contactpersoon", {{"Naam", "J. Jansen"}, {"Email", "info@spaak.example"}}}};
  b = call(p, "VoordragenErkenning", voordracht);
  EXPECT_FALSE(b.contains("VoordrachtID"));
  EXPECT_EQ(melding_code(b, "Naam"), "VERPLICHT") << b.dump();
  b = call(p, "HaalMutatiesOp", {{"VanafVolgnummer", -1}, {"MaxAantal", 10}});
  EXPECT_EQ(melding_code(b, "VanafVolgnummer"), "ONGELDIG-VOLGNUMMER") << b.dump();
  b = call(p, "HaalMutatiesOp", {{"VanafVolgnummer", 0}, {"MaxAantal", 1001}});
  EXPECT_EQ(melding_code(b, "MaxAantal"), "ONGELDIG-MAXAANTAL") << b.dump();
}

TEST(Leerbedrijf, HaalMutatiesOpVanafVolgnummer) {
  Provider p;
  auto b = call(p, "HaalMutatiesOp", {{"VanafVolgnummer", 0}, {"MaxAantal", 10}});
  ASSERT_EQ(b["Mutatie"].size(), 10u) << b.dump();
  EXPECT_EQ(b["Mutatie"][0]["Volgnummer"], 1);
  long last = b["LaatsteVolgnummer"];
  EXPECT_GT(last, 10);
  auto rest = call(p, "HaalMutatiesOp", {{"VanafVolgnummer", 10}, {"MaxAantal", 1000}});
  EXPECT_EQ(rest["Mutatie"][0]["Volgnummer"], 11);
  EXPECT_EQ(rest["Mutatie"].back()["Volgnummer"], last);
  bool merged = false;
  for (const auto& m : rest["Mutatie"]) merged |= m["Soort"] == "LeerbedrijfSamengevoegd";
  for (const auto& m : b["Mutatie"]) merged |= m["Soort"] == "LeerbedrijfSamengevoegd";
  EXPECT_TRUE(merged);
}

TEST(Leerbedrijf, ReplayReturnsTheStoredAnswerUnprocessed) {
  Provider p;
  auto mid = new_message_id();
  gateway::SendOptions o;
  o.message_id = mid;
  const std::string req = R"({"KvkNummer":"87654321","Naam":"Bakkerij Test","Adres":{"Straat":"A","Huisnummer":"1","Postcode":"1234 AB","Plaats":"Zwolle"},"Crebo":"25180","Leerweg":"BOL","Contactpersoon":{"Naam":"X","Email":"x@y.example"}})";
  auto first = send_json("school-25be", kSchool25be, p.port(), "VoordragenErkenning", req, o);
  auto second = send_json("school-25be", kSchool25be, p.port(), "VoordragenErkenning", req, o);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->response, second->response) << "same MessageID + same content: the stored response, byte for byte";
  auto changed = send_json("school-25be", kSchool25be, p.port(), "VoordragenErkenning",
                           R"({"KvkNummer":"87654322","Naam":"Bakkerij Test","Adres":{"Straat":"A","Huisnummer":"1","Postcode":"1234 AB","Plaats":"Zwolle"},"Crebo":"25180","Leerweg":"BOL","Contactpersoon":{"Naam":"X","Email":"x@y.example"}})", o);
  ASSERT_TRUE(changed);
  EXPECT_TRUE(changed->is_fault);
  EXPECT_EQ(changed->fault_code, "DK0011");
  // Another sender may use the same MessageID: the key is (sender OIN, MessageID).
  auto other = send_json("school-30gr", kSchool30gr, p.port(), "VoordragenErkenning", req, o);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->is_fault);
}

TEST(Leerbedrijf, ResponseHeadersFollowEdukoppeling) {
  Provider p;
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning",
                      json{{"LeerbedrijfID", fx::kErkendId}, {"Crebo", fx::kErkendCrebo}, {"Leerweg", "BOL"}}.dump());
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->relates_to, ex->sent.str());
  EXPECT_EQ(ex->action, "urn:edugate:leerbedrijf:1:VerifieerErkenningAntwoord");
  EXPECT_NE(ex->response.find("<wsa:To>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000</wsa:To>"),
            std::string::npos);
  EXPECT_NE(ex->response.find("anonymous?oin=00000003273785290000</wsa:Address></wsa:From>"), std::string::npos);
}

TEST(Leerbedrijf, FiftyConcurrentKeepAliveClients) {
  Provider p;
  const auto contract = leerbedrijf_contract();
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 50; ++c) {
    clients.emplace_back([&, c] {
      Connection conn(p.port(), c % 2 ? "school-25be" : "school-30gr");
      const std::string from = c % 2 ? kSchool25be : kSchool30gr;
      for (int i = 0; i < 10; ++i) {
        EnvelopeSpec s;
        s.from = "http://www.w3.org/2005/08/addressing/anonymous?oin=" + from;
        s.body = verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BOL");
        auto r = conn.post("/edukoppeling/leerbedrijf", envelope(s), s.action);
        if (r.status == 200 && r.body.find("<lb:Erkend>true</lb:Erkend>") != std::string::npos &&
            r.body.find("oin=" + from) != std::string::npos)
          ++good;
        else
          ++bad;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), 500);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_TRUE(p.alive());
}
