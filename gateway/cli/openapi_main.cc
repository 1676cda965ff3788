// edugate_openapi: writes the JSON bridge's OpenAPI document from the WSDL/XSD contract (run by
// the build; see gateway/CMakeLists.txt).   edugate_openapi <contract_dir> <output.json>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "gateway/outbound/openapi.h"
#include "security/xml_guard.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: edugate_openapi CONTRACT_DIR OUTPUT.json\n";
    return 2;
  }
  try {
    edugate::security::init_xml();
    namespace eg = edugate::gateway;
    auto model = eg::XsdModel::load(argv[1]);
    std::vector<eg::ServiceContract> contracts;
    for (const auto& s : eg::bridge_services()) contracts.push_back(eg::load_contract(argv[1], s));
    const std::string out = argv[2];
    std::ofstream(out + ".tmp") << eg::openapi_document(*model, contracts).dump(2) << "\n";
    std::filesystem::rename(out + ".tmp", out);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "edugate_openapi: " << e.what() << "\n";
    return 1;
  }
}
