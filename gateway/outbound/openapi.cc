#include "gateway/outbound/openapi.h"

#include "gateway/services/registry.h"
#include "core/rules.h"

namespace edugate::gateway {

using json = nlohmann::ordered_json;

const std::vector<std::string>& bridge_services() {
  static const std::vector<std::string> s = [] {
    std::vector<std::string> out;
    for (const auto& e : service_registry())
      if (e.bridged) out.emplace_back(e.name);
    return out;
  }();
  return s;
}

namespace {

json problem_response(const std::string& description) {
  return json{{"description", description},
              {"content", {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

json problem_schema() {
  json melding{{"type", "object"},
               {"properties",
                {{"Code", {{"type", "string"}}},
                 {"Ernst", {{"type", "string"}, {"enum", {"fout", "waarschuwing", "informatie"}}}},
                 {"Tekst", {{"type", "string"}}},
                 {"Veld", {{"type", "string"}}}}}};
  return json{
      {"type", "object"},
      {"description", "RFC 9457 problem details, with the Edukoppeling fault code or the business Meldingen"},
      {"required", {"type", "title", "status"}},
      {"properties",
       {{"type", {{"type", "string"}, {"description", "urn:edugate:probleem:<code>"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "integer"}}},
        {"detail", {{"type", "string"}}},
        {"code", {{"type", "string"}, {"description", "Edukoppeling/Digikoppeling fault code (" + std::string(rules::DK0004.code) + ", " + std::string(rules::DK0051.code) + " ...) or MELDING"}}},
        {"field", {{"type", "string"}, {"description", "the JSON path, header or element at fault"}}},
        {"message_id", {{"type", "string"}, {"description", "wsa:MessageID of the message sent (urn:uuid:...)"}}},
        {"retryable", {{"type", "boolean"}, {"description", "true: send again with the same Idempotency-Key"}}},
        {"meldingen", {{"type", "array"}, {"items", melding}}},
        {"antwoord", {{"type", "object"}, {"description", "the whole answer, when it carried Meldingen of Ernst fout"}}}}}};
}

}  // namespace

json openapi_document(const XsdModel& model, const std::vector<ServiceContract>& contracts) {
  json components = json::object();
  components["Problem"] = problem_schema();
  json paths = json::object();
  for (const auto& service : bridge_services()) {
    const ServiceContract* c = nullptr;
    for (const auto& k : contracts)
      if (k.name == service) c = &k;
    if (!c) continue;
    const std::string prefix = model.prefix_of(c->target_ns);
    for (const auto& op : c->operations) {
      const std::string in = prefix + "_" + op.input_element, out = prefix + "_" + op.output_element;
      components[in] = model.json_schema(c->target_ns, op.input_element, components);
      components[out] = model.json_schema(c->target_ns, op.output_element, components);
      json post{
          {"operationId", service + "_" + op.name},
          {"tags", {service}},
          {"summary", op.name + " (" + op.input_action + ")"},
          {"description", "Sends " + op.input_element + " to the provider over Edukoppeling and answers with " +
                              op.output_element + " as JSON."},
          {"parameters",
           {{{"name", "Edugate-Act-For"},
             {"in", "header"},
             {"required", false},
             {"description", "OIN of the school this vendor acts for (checked against the mandates in this gateway's registry)"},
             {"schema", {{"type", "string"}, {"pattern", "^[0-9A-Z]{20}$"}}}},
            {{"name", "Idempotency-Key"},
             {"in", "header"},
             {"required", false},
             {"description", "a UUID (or urn:uuid:...) used as wsa:MessageID, or any other key (1-200 characters) from "
                             "which a name-based UUID (v5) is derived; the same key with the same body sends the same "
                             "message again, with another body it is refused (409)"},
             {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}}}}}},
          {"requestBody",
           {{"required", true},
            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/" + in}}}}}}}}},
          {"responses",
           {{"200", {{"description", op.output_element},
                     {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/" + out}}}}}}}}},
            {"400", problem_response("the JSON does not match the schema (field names the JSON path), or the provider refused the message")},
            {"403", problem_response("no mandate for Edugate-Act-For, or the provider does not authorise us")},
            {"409", problem_response("Idempotency-Key used before with another body")},
            {"413", problem_response("body too large")},
            {"415", problem_response("Content-Type is not application/json")},
            {"422", problem_response("the provider answered with Meldingen of Ernst fout (meldingen, antwoord)")},
            {"502", problem_response("the provider's answer was not acceptable, or an unexpected error")},
            {"503", problem_response("provider unreachable or unavailable " + rules::cite(rules::DK0051) + ": retry with the same Idempotency-Key")},
            {"504", problem_response("provider did not answer in time " + rules::cite(rules::DK0051) + ": retry with the same Idempotency-Key")}}}};
      paths["/v1/" + service + "/" + op.name] = json{{"post", post}};
    }
  }
  paths["/v1/openapi.json"] = json{
      {"get",
       {{"operationId", "openapi"},
        {"summary", "this document"},
        {"responses", {{"200", {{"description", "OpenAPI 3 document"}, {"content", {{"application/json", json::object()}}}}}}}}}};
  return json{{"openapi", "3.0.3"},
              {"info",
               {{"title", "edugate JSON bridge"},
                {"version", "1"},
                {"description",
                 "JSON in front of the Edukoppeling services, served on a consumer gateway's internal listener. "
                 "Generated from the WSDL/XSD contract; each request body mirrors the operation's XSD input element."}}},
              {"servers", {{{"url", "/"}}}},
              {"paths", paths},
              {"components", {{"schemas", components}}}};
}

}  // namespace edugate::gateway
