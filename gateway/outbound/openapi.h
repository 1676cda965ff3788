#pragma once
// The OpenAPI 3 document of the JSON bridge (POST /v1/{service}/{operation}), derived from the
// WSDL contracts and their XSDs by the same XsdModel that maps the JSON to XML, so the document
// and the mapping cannot drift apart. Written at build time by `edugate_openapi` (openapi_main.cc)
// and embedded in the binary, which serves it at GET /v1/openapi.json.
#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

#include "gateway/soap/contract.h"
#include "gateway/outbound/json_xml.h"

namespace edugate::gateway {

// The services a consumer's JSON bridge offers: those a school or SIS vendor calls at SBB.
const std::vector<std::string>& bridge_services();

nlohmann::ordered_json openapi_document(const XsdModel& model, const std::vector<ServiceContract>& contracts);

// The document generated at build time (openapi_embed.cc, linked into the edugate binary only).
std::string_view embedded_openapi_json();

}  // namespace edugate::gateway
