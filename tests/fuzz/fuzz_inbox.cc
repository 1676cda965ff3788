// Fuzz target: the inbox's CSV and JSON reader (files a SIS drops, so input we do not control).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/outbound/inbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (bool is_json : {false, true}) {
    auto r = edugate::gateway::Inbox::parse_records(in, is_json);
    if (r && (!r->contains("Studentgegeven") || (*r)["Studentgegeven"].empty())) __builtin_trap();
  }
  return 0;
}
