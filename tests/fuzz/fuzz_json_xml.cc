// Fuzz target: the XSD-driven JSON -> XML mapping (client and bridge input) and XML -> JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/outbound/json_xml.h"
#include "security/xml_guard.h"

namespace {
const edugate::gateway::XsdModel* model = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  edugate::security::init_xml();
  static auto m = edugate::gateway::XsdModel::load(EDUGATE_CONTRACT_DIR);
  model = m.get();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)model->xml_text_to_json(in);
  auto j = nlohmann::ordered_json::parse(in, nullptr, false);
  if (j.is_discarded()) return 0;
  for (const char* el : {"VerifieerErkenningVerzoek", "VoordragenErkenningVerzoek", "ZoekLeerbedrijvenVerzoek"}) {
    auto x = model->json_to_xml("urn:edugate:leerbedrijf:1", el, j);
    // Whatever the mapping produces must be well-formed XML that maps back.
    if (x && !model->xml_text_to_json(*x)) __builtin_trap();
  }
  return 0;
}
