// Fuzz target: the http_json adapter's reading of a backend's answer (adapters/http_json/wire).
// Whatever the backend sends must end as a typed answer or as WireError / a nlohmann exception
// (which the adapter turns into BackendUnavailable); anything else escapes and aborts. A value
// that was read must write out and read back again.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "adapters/http_json/wire.h"

namespace {

using namespace edugate;
using edugate::adapters::http_json::json;
namespace wire = edugate::adapters::http_json::wire;

template <class T>
void read(const json& j) {
  std::optional<T> v;
  try {
    v = wire::as<T>(wire::object(j), "");
  } catch (const edugate::adapters::http_json::WireError&) {
  } catch (const json::exception&) {
  }
  if (!v) return;
  json again = *v;
  try {
    (void)wire::as<T>(again, "");
  } catch (const std::exception&) {
    __builtin_trap();  // what we read, we must be able to write and read again
  }
}

template <class T>
void read_uitkomst(const json& j) {
  try {
    (void)edugate::adapters::http_json::uitkomst_from_json<T>(wire::object(j));
  } catch (const edugate::adapters::http_json::WireError&) {
  } catch (const json::exception&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  json j = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  read<leerbedrijf::IdentificeerAntwoord>(j);
  read<leerbedrijf::VerifieerAntwoord>(j);
  read<leerbedrijf::DetailsAntwoord>(j);
  read<leerbedrijf::ZoekAntwoord>(j);
  read<leerbedrijf::VoordrachtAntwoord>(j);
  read<leerbedrijf::MutatiesAntwoord>(j);
  read<bpvmonitor::Recordresultaat>(j);
  read<bpvmonitor::Resultaten>(j);
  read<bpvmonitor::Responsrecords>(j);
  read_uitkomst<praktijkloket::Deelnemer>(j);
  read_uitkomst<std::vector<praktijkloket::Praktijkopleider>>(j);
  read_uitkomst<praktijkloket::Begeleidingsdocument>(j);
  read_uitkomst<praktijkloket::Praktijkverklaring>(j);
  read_uitkomst<praktijkloket::Pdf>(j);
  read_uitkomst<std::vector<praktijkloket::Kwalificatie>>(j);
  try {
    (void)wire::list<praktijkloket::Itemresultaat>(wire::object(j), "resultaten");
  } catch (const edugate::adapters::http_json::WireError&) {
  } catch (const json::exception&) {
  }
  return 0;
}
