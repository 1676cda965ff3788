#pragma once
// The service contract as the WSDL states it: operations, their elements and wsam:Action URIs.
// Read from wsdl/ at start-up so the WSDL stays the single source of truth for actions.
#include <string>
#include <string_view>
#include <vector>

namespace edugate::gateway {

struct Operation {
  std::string name;            // VerifieerErkenning
  std::string input_element;   // VerifieerErkenningVerzoek (in target_ns)
  std::string output_element;  // VerifieerErkenningAntwoord
  std::string input_action;    // urn:edugate:leerbedrijf:1:VerifieerErkenning
  std::string output_action;
};

struct ServiceContract {
  std::string name;       // leerbedrijf (the WSDL file's stem)
  std::string target_ns;  // urn:edugate:leerbedrijf:1
  std::string path;       // /edukoppeling/leerbedrijf
  std::vector<Operation> operations;

  const Operation* by_action(std::string_view action) const;
  const Operation* by_name(std::string_view name) const;
};

// Throws std::runtime_error when the WSDL is missing or breaks the rules we rely on
// (one portType, a wsam:Action on every input and output, document/literal element parts).
ServiceContract load_contract(const std::string& contract_dir, const std::string& service);

}  // namespace edugate::gateway
