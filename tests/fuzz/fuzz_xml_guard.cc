// Fuzz target: the XML guard, the first parser every request body meets.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "security/xml_guard.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  edugate::security::init_xml();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)edugate::security::is_valid_utf8(in);
  auto doc = edugate::security::parse_guarded(in);
  if (doc && xmlDocGetRootElement(doc->get()) == nullptr) __builtin_trap();
  return 0;
}
