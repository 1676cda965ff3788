// adapters/sqlite: the embedded default backend. Robust to untrusted input: it receives typed,
// validated requests only, and all SQL is parameterised.
#include "adapters/sqlite/factory.h"

#include <set>
#include <stdexcept>

#include "adapters/registry.h"
#include "adapters/sqlite/leerbedrijf_backend.h"

namespace edugate::adapters::sqlite {
namespace {

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || p[0] == '/' || base.empty()) return p;
  return base + "/" + p;
}

LeerbedrijfSettings parse_settings(const AdapterContext& ctx) {
  static const std::set<std::string> known{"path", "demo_data", "fixture_seed"};
  const YAML::Node& s = ctx.settings;
  for (const auto& kv : s) {
    auto key = kv.first.as<std::string>();
    if (!known.count(key)) throw std::runtime_error("adapters.sqlite: unknown key '" + key + "'");
  }
  LeerbedrijfSettings out;
  if (!s["path"] || !s["path"].IsScalar()) throw std::runtime_error("adapters.sqlite: key 'path' (a file path) is required");
  out.path = resolve(ctx.base_dir, s["path"].as<std::string>());
  try {
    if (s["demo_data"]) out.demo_data = s["demo_data"].as<bool>();
  } catch (const YAML::Exception&) {
    throw std::runtime_error("adapters.sqlite: key 'demo_data' must be a boolean");
  }
  try {
    if (s["fixture_seed"]) out.fixture_seed = s["fixture_seed"].as<std::uint64_t>();
  } catch (const YAML::Exception&) {
    throw std::runtime_error("adapters.sqlite: key 'fixture_seed' must be a non-negative integer");
  }
  return out;
}

}  // namespace

void register_factories() {
  register_leerbedrijf("sqlite", [](const AdapterContext& ctx) -> std::unique_ptr<leerbedrijf::Backend> {
    return std::make_unique<LeerbedrijfBackend>(parse_settings(ctx));
  });
}

}  // namespace edugate::adapters::sqlite
