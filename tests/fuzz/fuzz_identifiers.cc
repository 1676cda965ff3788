// Fuzz target: identifier parsers and ?oin= address parsing. A parsed value must print back
// as something that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/ids.h"
#include "gateway/soap/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edugate;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto check = [](auto r, auto parse) {
    if (r && !(*parse(r->str()) == *r)) __builtin_trap();
  };
  check(Oin::parse(in), Oin::parse);
  check(Brin::parse(in), Brin::parse);
  check(LeerbedrijfId::parse(in), LeerbedrijfId::parse);
  check(Crebo::parse(in), Crebo::parse);
  check(KvkNummer::parse(in), KvkNummer::parse);
  check(Vestigingsnummer::parse(in), Vestigingsnummer::parse);
  check(MessageId::parse(in), MessageId::parse);
  if (auto d = Datum::parse(in)) {
    if (civil_from_days(days_from_civil(*d)).str() != d->str()) __builtin_trap();
  }
  (void)parse_leerweg(in);
  if (auto o = gateway::oin_of_address(in)) {
    if (!(*gateway::oin_of_address(gateway::address_with_oin(in, *o)) == *o)) __builtin_trap();
  }
  (void)gateway::is_anonymous_address(in);
  return 0;
}
