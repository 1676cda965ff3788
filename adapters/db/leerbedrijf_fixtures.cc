#include "adapters/db/leerbedrijf_fixtures.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "adapters/db/leerbedrijf_backend.h"
#include "adapters/db/places.h"
#include "core/ids.h"

namespace edugate::adapters::db {

const std::vector<Place>& places() {
  static const std::vector<Place> p{
      {"Enschede", "7511", 52.2215, 6.8937},  {"Hengelo", "7551", 52.2661, 6.7931},
      {"Almelo", "7607", 52.3567, 6.6625},    {"Zwolle", "8011", 52.5168, 6.0830},
      {"Deventer", "7411", 52.2551, 6.1639},  {"Apeldoorn", "7311", 52.2112, 5.9699},
      {"Groningen", "9711", 53.2194, 6.5665}, {"Assen", "9401", 52.9925, 6.5649},
      {"Amsterdam", "1012", 52.3676, 4.9041}, {"Utrecht", "3511", 52.0907, 5.1214},
      {"Rotterdam", "3011", 51.9244, 4.4777}, {"Den Haag", "2511", 52.0705, 4.3007},
      {"Eindhoven", "5611", 51.4416, 5.4697}, {"Arnhem", "6811", 51.9851, 5.8987},
      {"Nijmegen", "6511", 51.8126, 5.8372},
  };
  return p;
}

std::optional<Place> find_place(const std::string& naam) {
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& p : places())
    if (lower(p.naam) == lower(naam)) return p;
  return std::nullopt;
}

namespace {

struct Kwalificatie {
  const char* crebo;
  const char* naam;
};
const Kwalificatie kKwalificaties[] = {
    {"25180", "Eerste monteur elektrotechnische installaties"},
    {"25250", "Kok"},
    {"25480", "Verzorgende-IG"},
    {"25452", "Pedagogisch medewerker kinderopvang"},
    {"25604", "Software developer"},
    {"25191", "Logistiek medewerker"},
    {"25655", "Medewerker bediening"},
    {"25410", "Eerste autotechnicus"},
};

const char* kBranches[][2] = {
    {"Installatiebedrijf", "25180"}, {"Elektrotechniek", "25180"}, {"Restaurant", "25250"},
    {"Eetcafé", "25655"},            {"Zorgcentrum", "25480"},     {"Kinderopvang", "25452"},
    {"Softwarehuis", "25604"},       {"Transportbedrijf", "25191"}, {"Autobedrijf", "25410"},
    {"Hotel", "25655"},
};
const char* kNamen[] = {"De Eik",    "Het Anker",  "Zonnehoek", "De Linde",   "Berkhof",   "Noorderlicht",
                        "De Molen",  "Rivierzicht", "Het Veld",  "De Brug",    "Kastanje",  "De Ster",
                        "Hoogland",  "Waterkant",  "De Wiek",   "Esdoorn",    "Heidezicht", "De Horst"};
const char* kFamilies[] = {"Jansen", "De Vries", "Van Dijk", "Bakker", "Visser", "Smit", "Meijer", "De Boer",
                           "Mulder", "De Groot", "Bos",      "Vos",    "Peters", "Hendriks", "Dekker", "Brouwer"};
const char* kVoornamen[] = {"Anna", "Bram", "Carla", "Daan", "Eva", "Finn", "Gerda", "Hugo", "Ilse", "Joost",
                            "Kim",  "Lars", "Mila",  "Niek", "Olga", "Pim", "Roos",  "Sven", "Tess", "Wim"};
const char* kStraten[] = {"Kerkstraat", "Stationsweg", "Industrieweg", "Marktplein", "Dorpsstraat",
                          "Molenweg",   "Schoolstraat", "Nijverheidsweg", "Havenstraat", "Parallelweg"};
const char* kFuncties[] = {"praktijkopleider", "leermeester", "teamleider", "werkbegeleider"};

struct Mut {
  std::int64_t tijdstip;
  std::string soort, id;
  std::optional<std::string> nieuw, crebo, leerweg, begin, eind, naam;
};

std::int64_t ts(const std::string& date) {
  return days_from_civil(*Datum::parse(date)) * 86400 + 9 * 3600;
}

class Writer {
 public:
  explicit Writer(sql::Connection& c) : c_(c) {}

  void leerbedrijf(const std::string& id, const std::string& naam, const std::string& kvk, const std::string& vest,
                   const std::string& straat, const std::string& nr, const std::string& postcode, const Place& p,
                   double dlat, double dlon, const std::string& tel, const std::string& web) {
    c_.prepare("INSERT INTO leerbedrijven (id, naam, kvk, vestiging, straat, huisnummer, postcode, plaats, lat, lon, telefoon, website) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, id).bind(2, naam).bind(3, kvk).bind(4, vest).bind(5, straat).bind(6, nr).bind(7, postcode)
        .bind(8, p.naam).bind(9, p.lat + dlat).bind(10, p.lon + dlon).bind(11, tel).bind(12, web).run();
  }
  void erkenning(const std::string& id, const std::string& crebo, const char* leerweg, const std::string& begin,
                 std::optional<std::string> eind, std::optional<std::string> intrek) {
    c_.prepare("INSERT INTO erkenningen (leerbedrijf_id, crebo, leerweg, begindatum, einddatum, intrekdatum) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, id).bind(2, crebo).bind(3, leerweg).bind(4, begin).bind(5, eind).bind(6, intrek).run();
    muts.push_back({ts(std::min(begin, today)), "ErkenningVerleend", id, {}, crebo, leerweg, begin, eind, {}});
    if (intrek) muts.push_back({ts(*intrek), "ErkenningIngetrokken", id, {}, crebo, leerweg, begin, intrek, {}});
  }
  void opleider(const std::string& lb, int n, const std::string& naam, const std::string& functie, const std::string& email) {
    c_.prepare("INSERT INTO praktijkopleiders (id, leerbedrijf_id, naam, functie, email) VALUES (?, ?, ?, ?, ?)")
        .bind(1, lb + "-PO" + std::to_string(n)).bind(2, lb).bind(3, naam).bind(4, functie).bind(5, email).run();
  }
  void leerplaats(const std::string& lb, const std::string& crebo, const char* leerweg, int aantal, int vrij) {
    c_.prepare("INSERT INTO leerplaatsen (leerbedrijf_id, crebo, leerweg, aantal, beschikbaar) VALUES (?, ?, ?, ?, ?)")
        .bind(1, lb).bind(2, crebo).bind(3, leerweg).bind(4, aantal).bind(5, vrij).run();
  }
  void flush_mutations() {
    std::stable_sort(muts.begin(), muts.end(), [](const Mut& a, const Mut& b) { return a.tijdstip < b.tijdstip; });
    for (const auto& m : muts)
      c_.prepare("INSERT INTO mutaties (soort, tijdstip, leerbedrijf_id, nieuw_id, crebo, leerweg, begindatum, einddatum, naam) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, m.soort).bind(2, m.tijdstip).bind(3, m.id).bind(4, m.nieuw).bind(5, m.crebo).bind(6, m.leerweg)
          .bind(7, m.begin).bind(8, m.eind).bind(9, m.naam).run();
  }

  std::vector<Mut> muts;
  std::string today = today_utc().str();

 private:
  sql::Connection& c_;
};

std::string days_ago(int n) { return civil_from_days(days_from_civil(today_utc()) - n).str(); }

}  // namespace

int fill_fixtures(sql::Connection& c, std::uint64_t seed) {
  create_schema(c);
  sql::Transaction tx(c);
  {
    auto st = c.prepare("SELECT count(*) FROM leerbedrijven");
    if (st.step() && st.integer(0) > 0) return 0;
  }
  for (const auto& k : kKwalificaties)
    c.prepare("INSERT INTO kwalificaties (crebo, naam) VALUES (?, ?)").bind(1, k.crebo).bind(2, k.naam).run();

  Writer w(c);
  const Place& enschede = places()[0];
  const Place& hengelo = places()[1];
  // The well-known facts (fixtures:: constants).
  w.leerbedrijf(fixtures::kErkendId, fixtures::kNaam, fixtures::kKvk, fixtures::kVestiging, "Industrieweg", "12",
                "7521 AB", enschede, 0.004, -0.006, "053-0000001", "https://vanderberg.example");
  w.erkenning(fixtures::kErkendId, fixtures::kErkendCrebo, "BOL", "2015-08-01", std::nullopt, std::nullopt);
  w.erkenning(fixtures::kErkendId, fixtures::kErkendCrebo, "BBL", "2015-08-01", std::nullopt, std::nullopt);
  w.opleider(fixtures::kErkendId, 1, "A. Testpersoon", "praktijkopleider", "opleider@vanderberg.example");
  w.leerplaats(fixtures::kErkendId, fixtures::kErkendCrebo, "BOL", 4, 2);
  w.leerplaats(fixtures::kErkendId, fixtures::kErkendCrebo, "BBL", 2, 0);

  w.leerbedrijf(fixtures::kIngetrokkenId, "Elektro Zonnehoek BV", "30123457", "000012345679", "Marktplein", "3",
                "7551 CD", hengelo, 0.002, 0.003, "074-0000002", "");
  w.erkenning(fixtures::kIngetrokkenId, fixtures::kIngetrokkenCrebo, "BOL", "2016-08-01", std::nullopt, days_ago(30));
  w.opleider(fixtures::kIngetrokkenId, 1, "B. Testpersoon", "leermeester", "");

  w.leerbedrijf(fixtures::kVerlopenId, "Installatietechniek De Brug", "30123458", "000012345680", "Havenstraat", "8",
                "7511 EF", enschede, -0.01, 0.01, "053-0000003", "");
  w.erkenning(fixtures::kVerlopenId, fixtures::kVerlopenCrebo, "BOL", "2019-08-01", std::string("2023-07-31"), std::nullopt);
  w.opleider(fixtures::kVerlopenId, 1, "C. Testpersoon", "werkbegeleider", "");

  w.leerbedrijf(fixtures::kSamengevoegdOudId, "Van der Berg Installaties Hengelo", "30123459", "000012345681",
                "Stationsweg", "40", "7551 GH", hengelo, -0.003, 0.001, "074-0000004", "");
  w.erkenning(fixtures::kSamengevoegdOudId, fixtures::kErkendCrebo, "BOL", "2017-08-01", std::nullopt, std::nullopt);
  c.prepare("UPDATE leerbedrijven SET samengevoegd_in = ? WHERE id = ?")
      .bind(1, fixtures::kSamengevoegdNieuwId).bind(2, fixtures::kSamengevoegdOudId).run();
  w.muts.push_back({ts(days_ago(60)), "LeerbedrijfSamengevoegd", fixtures::kSamengevoegdOudId,
                    std::string(fixtures::kSamengevoegdNieuwId), {}, {}, {}, {}, {}});

  // Generated leerbedrijven: deterministic for a seed.
  std::mt19937_64 rng(seed);
  auto pick = [&](auto& arr) -> decltype(arr[0]) { return arr[rng() % (sizeof(arr) / sizeof(arr[0]))]; };
  auto between = [&](int lo, int hi) { return lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); };
  std::int64_t next_id = 100000101;
  for (int i = 0; i < fixtures::kGenerated; ++i) {
    next_id += between(1, 40);
    const std::string id = std::to_string(next_id);
    const auto& branche = pick(kBranches);
    const Place& p = places()[rng() % places().size()];
    std::string naam = std::string(branche[0]) + " " + pick(kNamen);
    if (rng() % 3 == 0) naam += std::string(" ") + pick(kFamilies);
    if (rng() % 2 == 0) naam += " BV";
    char kvk[16], vest[16], postcode[16], tel[16];
    std::snprintf(kvk, sizeof kvk, "%08d", 40000000 + between(0, 9999999));
    std::snprintf(vest, sizeof vest, "%012lld", 100000000000LL + static_cast<long long>(rng() % 899999999999ULL));
    std::snprintf(postcode, sizeof postcode, "%s %c%c", p.postcode_prefix, 'A' + between(0, 25), 'A' + between(0, 25));
    std::snprintf(tel, sizeof tel, "0%02d-%07d", between(10, 99), between(0, 9999999));
    double dlat = (between(0, 600) - 300) / 10000.0, dlon = (between(0, 600) - 300) / 10000.0;
    w.leerbedrijf(id, naam, kvk, vest, pick(kStraten), std::to_string(between(1, 250)), postcode, p, dlat, dlon, tel, "");

    // Erkenningen: the branche's own kwalificatie, sometimes another one; some withdrawn or expired.
    int n_erk = between(1, 4);
    for (int e = 0; e < n_erk; ++e) {
      const char* crebo = e == 0 ? branche[1] : pick(kKwalificaties).crebo;
      const char* leerweg = rng() % 2 ? "BOL" : "BBL";
      char begin[16];
      std::snprintf(begin, sizeof begin, "%04d-%02d-01", between(2010, 2025), between(1, 12));
      std::optional<std::string> eind, intrek;
      int kind = between(0, 9);
      if (kind == 0) intrek = days_ago(between(1, 900));
      else if (kind == 1) eind = days_ago(between(1, 900));
      if (intrek && *intrek < begin) intrek = std::string(begin);
      if (eind && *eind < begin) eind = std::string(begin);
      w.erkenning(id, crebo, leerweg, begin, eind, intrek);
      if (e == 0 || rng() % 2) {
        int aantal = between(1, 6);
        w.leerplaats(id, crebo, leerweg, aantal, between(0, aantal));
      }
    }
    int n_po = between(1, 3);
    for (int k = 1; k <= n_po; ++k) {
      std::string persoon = std::string(pick(kVoornamen)) + " " + pick(kFamilies);
      std::string email = "po" + std::to_string(k) + "." + id + "@leerbedrijf.example";
      w.opleider(id, k, persoon, pick(kFuncties), email);
    }
    // Some companies change their name (NAW mutations).
    if (rng() % 25 == 0) {
      std::string nieuw = naam + " Groep";
      c.prepare("UPDATE leerbedrijven SET naam = ? WHERE id = ?").bind(1, nieuw).bind(2, id).run();
      w.muts.push_back({ts(days_ago(between(1, 400))), "NAWGewijzigd", id, {}, {}, {}, {}, {}, nieuw});
    }
  }
  w.flush_mutations();
  tx.commit();
  return fixtures::kGenerated + 4;
}

}  // namespace edugate::adapters::db
