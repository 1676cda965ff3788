#pragma once
// JSON <-> XML for the contract's messages, derived from the XSDs at start-up (not written per
// operation): element order, namespaces, repetition and simple types come from the schema.
// Used by `edugate send`, the test kit, the JSON bridge and its OpenAPI document.
#include <libxml/tree.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace edugate::gateway {

class XsdModel {
 public:
  // Loads every *.xsd in dir. Throws std::runtime_error on a broken schema (start-up error).
  static std::shared_ptr<const XsdModel> load(const std::string& dir);

  // The XML of global element {ns}element from a JSON object. Errors (code JSON) name the JSON path.
  Result<std::string> json_to_xml(const std::string& ns, const std::string& element,
                                  const nlohmann::ordered_json& j) const;
  // An element whose declaration the model knows, as JSON: repeated elements are arrays,
  // numbers and booleans typed per the XSD.
  nlohmann::ordered_json xml_to_json(const xmlNode* element) const;
  Result<nlohmann::ordered_json> xml_text_to_json(std::string_view xml) const;

  // The JSON Schema (OpenAPI 3.0 dialect) of global element {ns}element as json_to_xml reads
  // it: named XSD types go to `components` (as "<prefix>_<TypeName>") and are referenced from
  // there; the element's own schema is returned. Empty object when the element is unknown.
  nlohmann::ordered_json json_schema(const std::string& ns, const std::string& element,
                                     nlohmann::ordered_json& components) const;
  // The namespace prefix the model writes for a contract namespace ("ns" when unknown).
  std::string prefix_of(const std::string& ns) const;

  enum class Simple { string, integer, number, boolean };
  struct Type;
  struct Element {
    std::string ns, name;
    std::string type_ns, type_name;  // named type (builtin or user), or empty with `inline_type`
    const Type* inline_type = nullptr;
    std::string ref_ns, ref_name;    // xs:element ref=
    int min = 1;
    bool many = false;
  };
  struct Type {
    bool complex = false;
    Simple simple = Simple::string;
    std::vector<Element> children;  // for complex types: the flattened sequence
  };

 private:
  const Element* global(const std::string& ns, const std::string& name) const;
  const Type* type_of(const Element& e) const;
  Status write(std::string& out, const Element& e, const nlohmann::ordered_json& j, const std::string& path) const;
  nlohmann::ordered_json read(const xmlNode* n, const Type* t) const;
  nlohmann::ordered_json schema_of(const Element& e, nlohmann::ordered_json& components) const;
  nlohmann::ordered_json schema_of_type(const Type* t, nlohmann::ordered_json& components) const;

  std::map<std::string, Element> globals_;     // "{ns}name"
  std::map<std::string, const Type*> types_;   // "{ns}name" for named complex and simple types
  std::vector<std::unique_ptr<Type>> owned_;
  std::map<std::string, std::string> prefixes_;  // ns -> prefix
};

}  // namespace edugate::gateway
