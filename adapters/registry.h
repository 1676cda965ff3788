#pragma once
// Adapters register a factory under a name; the configuration picks one per service. Adding an
// adapter means a folder adapters/<name>/ and one line in adapters/builtin.cc, no gateway code.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/leerbedrijf.h"

namespace edugate::adapters {

// settings: the adapter's own YAML block (already checked to be a map); base_dir resolves
// relative paths. Factories validate their settings once and throw std::runtime_error naming
// the key on a bad value (start-up configuration error).
struct AdapterContext {
  YAML::Node settings;
  std::string base_dir;
};

using LeerbedrijfFactory = std::function<std::unique_ptr<leerbedrijf::Backend>(const AdapterContext&)>;

void register_leerbedrijf(const std::string& name, LeerbedrijfFactory factory);
std::unique_ptr<leerbedrijf::Backend> make_leerbedrijf(const std::string& name, const AdapterContext& ctx);
std::vector<std::string> leerbedrijf_adapters();

// Registers every adapter compiled into this binary. Idempotent.
void register_builtin();

}  // namespace edugate::adapters
