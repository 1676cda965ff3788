#include "adapters/http_json/backends.h"

#include "adapters/http_json/transport.h"
#include "adapters/http_json/wire.h"
#include "adapters/registry.h"
#include "core/backend_error.h"
#include "core/crash_point.h"

namespace edugate::adapters::http_json {
namespace {

namespace lb = edugate::leerbedrijf;
namespace bpv = edugate::bpvmonitor;
namespace pl = edugate::praktijkloket;

// One operation: the request out, the answer parsed by `parse`, or a business refusal turned
// into the operation's own answer by `refused` (its Meldingen). A malformed answer, like every
// transport failure, is BackendUnavailable; its text names the path of the bad member only.
template <class Parse, class Refused>
auto exchange(Transport& t, const char* operation, const json& request, Kind kind, Parse parse, Refused refused)
    -> decltype(parse(json())) {
  auto a = t.call(operation, request, kind);
  try {
    if (a.refused) return refused(wire::list<Melding>(a.body, "meldingen"), a.body);
    return parse(a.body);
  } catch (const WireError& e) {
    throw BackendUnavailable(std::string("http_json ") + operation + ": malformed answer: " + e.what());
  } catch (const json::exception&) {
    throw BackendUnavailable(std::string("http_json ") + operation + ": malformed answer");
  }
}

template <class Answer>
Answer exchange(Transport& t, const char* operation, const json& request, Kind kind) {
  return exchange(
      t, operation, request, kind, [](const json& j) { return wire::as<Answer>(wire::object(j), ""); },
      [](Meldingen m, const json&) {
        Answer a{};
        a.meldingen = std::move(m);
        return a;
      });
}

// A write with the message's key as Idempotency-Key: the backend records it in the write's own
// transaction and answers a key it has seen with that first answer (docs/HTTP_JSON_BACKEND.md).
Result<KeyedAnswer> keyed_call(const WriteKey& key, std::string_view operation, const KeyedWrites::Write& write) {
  const std::string k = key.str();
  IdempotencyKeyScope scope(k);
  auto answer = write();
  if (answer) crash_point("backend_committed", operation);
  return answer;
}

class LeerbedrijfBackend final : public lb::Backend {
 public:
  Result<KeyedAnswer> keyed(const WriteKey& key, std::string_view operation, const Write& write) override {
    return keyed_call(key, operation, write);
  }
  explicit LeerbedrijfBackend(const Settings& s) : t_(s, "leerbedrijf") {}
  lb::IdentificeerAntwoord identificeer(const lb::IdentificeerVerzoek& v) override {
    return exchange<lb::IdentificeerAntwoord>(t_, "identificeer", v, Kind::read);
  }
  lb::VerifieerAntwoord verifieer(const lb::VerifieerVerzoek& v) override {
    return exchange<lb::VerifieerAntwoord>(t_, "verifieer", v, Kind::read);
  }
  lb::DetailsAntwoord details(const LeerbedrijfId& id) override {
    return exchange<lb::DetailsAntwoord>(t_, "details", json{{"id", id}}, Kind::read);
  }
  lb::ZoekAntwoord zoek(const lb::ZoekVerzoek& v) override { return exchange<lb::ZoekAntwoord>(t_, "zoek", v, Kind::read); }
  lb::VoordrachtAntwoord voordragen(const lb::VoordrachtVerzoek& v) override {
    return exchange<lb::VoordrachtAntwoord>(t_, "voordragen", v, Kind::write);
  }
  lb::MutatiesAntwoord mutaties(const lb::MutatiesVerzoek& v) override {
    return exchange<lb::MutatiesAntwoord>(t_, "mutaties", v, Kind::read);
  }

 private:
  Transport t_;
};

bpv::Recordresultaat parse_record(const json& j) { return wire::as<bpv::Recordresultaat>(wire::object(j), ""); }

bpv::Recordresultaat geweigerd(const std::string& kenmerk, Meldingen m) {
  return {kenmerk, "geweigerd", std::nullopt, std::move(m)};
}

class BpvMonitorBackend final : public bpv::Backend {
 public:
  Result<KeyedAnswer> keyed(const WriteKey& key, std::string_view operation, const Write& write) override {
    return keyed_call(key, operation, write);
  }
  explicit BpvMonitorBackend(const Settings& s) : t_(s, "bpvmonitor") {}
  std::vector<bpv::Recordresultaat> lever_aan(const Oin& school, const std::vector<bpv::Studentgegeven>& records) override {
    auto resultaten = exchange(
        t_, "lever_aan", json{{"school", school}, {"records", records}}, Kind::write,
        [](const json& j) { return wire::list<bpv::Recordresultaat>(j, "resultaten"); },
        [&](Meldingen m, const json&) {
          std::vector<bpv::Recordresultaat> out;  // the whole batch refused: every record with the reasons
          for (const auto& r : records) out.push_back(geweigerd(r.bpvo_kenmerk, m));
          return out;
        });
    if (resultaten.size() != records.size())
      throw BackendUnavailable("http_json lever_aan: malformed answer: " + std::to_string(resultaten.size()) +
                               " resultaten for " + std::to_string(records.size()) + " records");
    return resultaten;
  }
  bpv::Recordresultaat corrigeer(const Oin& school, const bpv::Studentgegeven& record) override {
    return exchange(t_, "corrigeer", json{{"school", school}, {"record", record}}, Kind::write, parse_record,
                    [&](Meldingen m, const json&) { return geweigerd(record.bpvo_kenmerk, std::move(m)); });
  }
  bpv::Recordresultaat trek_in(const Oin& school, const std::string& kenmerk) override {
    return exchange(t_, "trek_in", json{{"school", school}, {"bpvo_kenmerk", kenmerk}}, Kind::write, parse_record,
                    [&](Meldingen m, const json&) { return geweigerd(kenmerk, std::move(m)); });
  }
  bpv::Resultaten resultaten(const Brin& brin, const bpv::Resultatenfilter& filter) override {
    return exchange<bpv::Resultaten>(t_, "resultaten", json{{"brin", brin}, {"filter", filter}}, Kind::read);
  }
  bpv::Responsrecords responsrecords(const Brin& brin, const std::optional<Periode>& periode, int pagina,
                                     int pagina_grootte) override {
    json req{{"brin", brin}, {"pagina", pagina}, {"pagina_grootte", pagina_grootte}};
    wire::put(req, "periode", periode);
    return exchange<bpv::Responsrecords>(t_, "responsrecords", req, Kind::read);
  }

 private:
  Transport t_;
};

template <class T>
struct Uitkomsten {
  static pl::Uitkomst<T> parse(const json& j) { return uitkomst_from_json<T>(wire::object(j)); }
  static pl::Uitkomst<T> refused(Meldingen m, const json& problem) {
    pl::Uitkomst<T> u;
    u.meldingen = std::move(m);
    u.bestaande = wire::opt<pl::Id>(problem, "bestaande");
    return u;
  }
};

class PraktijkloketBackend final : public pl::Backend {
 public:
  Result<KeyedAnswer> keyed(const WriteKey& key, std::string_view operation, const Write& write) override {
    return keyed_call(key, operation, write);
  }
  explicit PraktijkloketBackend(const Settings& s) : t_(s, "praktijkloket") {}

  pl::Uitkomst<pl::Deelnemer> voeg_deelnemer_toe(const pl::Caller& c, const pl::Deelnemergegevens& g, bool doorzetten) override {
    return call<pl::Deelnemer>("voeg_deelnemer_toe", {{"caller", c}, {"gegevens", g}, {"doorzetten", doorzetten}}, Kind::write);
  }
  std::vector<pl::Itemresultaat> voeg_deelnemers_toe(const pl::Caller& c, const std::vector<pl::Deelnemergegevens>& items,
                                                     bool doorzetten) override {
    auto out = exchange(
        t_, "voeg_deelnemers_toe", json{{"caller", c}, {"deelnemers", items}, {"doorzetten", doorzetten}}, Kind::write,
        [](const json& j) { return wire::list<pl::Itemresultaat>(j, "resultaten"); },
        [&](Meldingen m, const json&) {
          std::vector<pl::Itemresultaat> r;  // the whole batch refused: every item with the reasons
          for (std::size_t i = 0; i < items.size(); ++i)
            r.push_back({static_cast<int>(i + 1), items[i].kenmerk, "geweigerd", std::nullopt, m});
          return r;
        });
    if (out.size() != items.size())
      throw BackendUnavailable("http_json voeg_deelnemers_toe: malformed answer: " + std::to_string(out.size()) +
                               " resultaten for " + std::to_string(items.size()) + " deelnemers");
    return out;
  }
  pl::Uitkomst<pl::Deelnemer> wijzig_deelnemer(const pl::Caller& c, pl::Id id, const pl::Deelnemergegevens& g) override {
    return call<pl::Deelnemer>("wijzig_deelnemer", {{"caller", c}, {"id", id}, {"gegevens", g}}, Kind::write);
  }
  pl::Uitkomst<pl::Deelnemer> archiveer_deelnemer(const pl::Caller& c, pl::Id id, bool archief) override {
    return call<pl::Deelnemer>("archiveer_deelnemer", {{"caller", c}, {"id", id}, {"archief", archief}}, Kind::write);
  }
  pl::Uitkomst<pl::Verwijderd> verwijder_deelnemer(const pl::Caller& c, pl::Id id) override {
    return call<pl::Verwijderd>("verwijder_deelnemer", {{"caller", c}, {"id", id}}, Kind::write);
  }
  pl::Uitkomst<std::vector<pl::Deelnemer>> zoek_deelnemers(const pl::Caller& c, const std::string& voornaam,
                                                           const std::string& achternaam, bool archief) override {
    return call<std::vector<pl::Deelnemer>>(
        "zoek_deelnemers", {{"caller", c}, {"voornaam", voornaam}, {"achternaam", achternaam}, {"archief", archief}}, Kind::read);
  }
  pl::Uitkomst<std::vector<pl::Praktijkopleider>> praktijkopleiders(const pl::Caller& c, const LeerbedrijfId& lb,
                                                                    std::optional<pl::Id> deelnemer) override {
    json req{{"caller", c}, {"leerbedrijf", lb}};
    wire::put(req, "deelnemer", deelnemer);
    return call<std::vector<pl::Praktijkopleider>>("praktijkopleiders", req, Kind::read);
  }
  pl::Uitkomst<pl::Praktijkopleider> voeg_praktijkopleider_toe(const pl::Caller& c, pl::Id deelnemer, const LeerbedrijfId& lb,
                                                               const pl::Praktijkopleidergegevens& g) override {
    return call<pl::Praktijkopleider>("voeg_praktijkopleider_toe",
                                      {{"caller", c}, {"deelnemer", deelnemer}, {"leerbedrijf", lb}, {"gegevens", g}}, Kind::write);
  }
  pl::Uitkomst<pl::Begeleidingsdocument> maak_begeleidingsdocument(const pl::Caller& c,
                                                                   const pl::Begeleidingsdocumentgegevens& g) override {
    return call<pl::Begeleidingsdocument>("maak_begeleidingsdocument", {{"caller", c}, {"gegevens", g}}, Kind::write);
  }
  pl::Uitkomst<pl::Begeleidingsdocument> wijzig_begeleidingsdocument(const pl::Caller& c, pl::Id id,
                                                                     const pl::Begeleidingsdocumentgegevens& g) override {
    return call<pl::Begeleidingsdocument>("wijzig_begeleidingsdocument", {{"caller", c}, {"id", id}, {"gegevens", g}}, Kind::write);
  }
  pl::Uitkomst<pl::Begeleidingsdocument> rond_begeleidingsdocument_af(const pl::Caller& c, pl::Id id) override {
    return call<pl::Begeleidingsdocument>("rond_begeleidingsdocument_af", {{"caller", c}, {"id", id}}, Kind::write);
  }
  pl::Uitkomst<pl::Begeleidingsdocument> begeleidingsdocument(const pl::Caller& c, pl::Id id) override {
    return call<pl::Begeleidingsdocument>("begeleidingsdocument", {{"caller", c}, {"id", id}}, Kind::read);
  }
  pl::Uitkomst<pl::Pdf> begeleidingsdocument_pdf(const pl::Caller& c, pl::Id id) override {
    return call<pl::Pdf>("begeleidingsdocument_pdf", {{"caller", c}, {"id", id}}, Kind::read);
  }
  pl::Uitkomst<pl::Praktijkverklaring> maak_praktijkverklaring(const pl::Caller& c, const pl::Praktijkverklaringgegevens& g) override {
    return call<pl::Praktijkverklaring>("maak_praktijkverklaring", {{"caller", c}, {"gegevens", g}}, Kind::write);
  }
  pl::Uitkomst<pl::Praktijkverklaring> wijzig_praktijkverklaring(const pl::Caller& c, pl::Id id,
                                                                 const pl::Praktijkverklaringgegevens& g) override {
    return call<pl::Praktijkverklaring>("wijzig_praktijkverklaring", {{"caller", c}, {"id", id}, {"gegevens", g}}, Kind::write);
  }
  pl::Uitkomst<pl::Praktijkverklaring> maak_definitief(const pl::Caller& c, pl::Id id) override {
    return call<pl::Praktijkverklaring>("maak_definitief", {{"caller", c}, {"id", id}}, Kind::write);
  }
  pl::Uitkomst<bool> verwijder_praktijkverklaring(const pl::Caller& c, pl::Id id) override {
    return call<bool>("verwijder_praktijkverklaring", {{"caller", c}, {"id", id}}, Kind::write);
  }
  pl::Uitkomst<pl::Praktijkverklaring> praktijkverklaring(const pl::Caller& c, pl::Id id) override {
    return call<pl::Praktijkverklaring>("praktijkverklaring", {{"caller", c}, {"id", id}}, Kind::read);
  }
  pl::Uitkomst<pl::Pdf> praktijkverklaring_pdf(const pl::Caller& c, pl::Id id) override {
    return call<pl::Pdf>("praktijkverklaring_pdf", {{"caller", c}, {"id", id}}, Kind::read);
  }
  pl::Uitkomst<std::vector<pl::Kwalificatie>> kwalificaties(const std::optional<Crebo>& crebo, bool alle_versies) override {
    json req{{"alle_versies", alle_versies}};
    wire::put(req, "crebo", crebo);
    return call<std::vector<pl::Kwalificatie>>("kwalificaties", req, Kind::read);
  }
  pl::Uitkomst<std::pair<pl::Kwalificatie, std::vector<pl::Kerntaak>>> werkprocessen(const Crebo& crebo,
                                                                                     const std::string& versie) override {
    using Waarde = std::pair<pl::Kwalificatie, std::vector<pl::Kerntaak>>;
    return exchange(
        t_, "werkprocessen", json{{"crebo", crebo}, {"versie", versie}}, Kind::read,
        [](const json& j) {
          pl::Uitkomst<Waarde> u;
          u.meldingen = wire::list<Melding>(j, "meldingen");
          if (auto w = wire::opt<json>(j, "waarde"))
            u.waarde = Waarde{wire::req<pl::Kwalificatie>(*w, "kwalificatie"), wire::list<pl::Kerntaak>(*w, "kerntaken")};
          return u;
        },
        Uitkomsten<Waarde>::refused);
  }
  // The kwalificatiestructuur is the backend's own data: it is loaded there, not through edugate.
  Status load_kwalificatiestructuur(std::string_view, std::string&) override {
    return make_error("NIET-ONDERSTEUND",
                      "de http_json-backend beheert de kwalificatiestructuur zelf; laad het bestand in die backend");
  }

 private:
  template <class T>
  pl::Uitkomst<T> call(const char* operation, const json& request, Kind kind) {
    return exchange(t_, operation, request, kind, Uitkomsten<T>::parse, Uitkomsten<T>::refused);
  }
  Transport t_;
};

}  // namespace

std::unique_ptr<leerbedrijf::Backend> make_leerbedrijf_backend(const Settings& s) {
  return std::make_unique<LeerbedrijfBackend>(s);
}
std::unique_ptr<bpvmonitor::Backend> make_bpvmonitor_backend(const Settings& s) { return std::make_unique<BpvMonitorBackend>(s); }
std::unique_ptr<praktijkloket::Backend> make_praktijkloket_backend(const Settings& s) {
  return std::make_unique<PraktijkloketBackend>(s);
}

void register_factories() {
  register_adapter<leerbedrijf::Backend>("http_json", [](const AdapterContext& ctx) {
    return make_leerbedrijf_backend(parse_settings(ctx, "leerbedrijf"));
  });
  register_adapter<bpvmonitor::Backend>("http_json", [](const AdapterContext& ctx) {
    return make_bpvmonitor_backend(parse_settings(ctx, "bpvmonitor"));
  });
  register_adapter<praktijkloket::Backend>("http_json", [](const AdapterContext& ctx) {
    return make_praktijkloket_backend(parse_settings(ctx, "praktijkloket"));
  });
}

}  // namespace edugate::adapters::http_json
