// Fuzz target: SOAP envelope reading, the WS-Addressing rules and the canonical body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/soap/envelope.h"
#include "gateway/soap/wsa_rules.h"
#include "security/xml_guard.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  edugate::security::init_xml();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edugate;
  auto doc = security::parse_guarded(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc) return 0;
  auto env = gateway::read_envelope(std::move(doc).value());
  if (!env) return 0;
  static const std::vector<Oin> served{*Oin::parse("00000003273785290000")};
  auto hdr = gateway::check_request_headers(env->wsa, served);
  if (hdr && !gateway::is_anonymous_address(gateway::anonymous_with_oin(hdr->from_oin))) __builtin_trap();
  if (env->wsa.action) (void)gateway::check_soap_action(std::string(*env->wsa.action), *env->wsa.action);
  (void)gateway::canonical_body(*env);
  return 0;
}
