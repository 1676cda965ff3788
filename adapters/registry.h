#pragma once
// Adapters register a factory under a name per interface (a service's Backend, or a consumer
// Sink); the configuration picks one per service. Adding an adapter means a folder
// adapters/<name>/ and one line in adapters/builtin.cc, no gateway code.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace edugate::adapters {

// settings: the adapter's own YAML block (a map); base_dir resolves relative paths. Factories
// validate their settings once and throw std::runtime_error naming the key on a bad value.
struct AdapterContext {
  YAML::Node settings;
  std::string base_dir;
  bool migrate = false;  // database adapters: apply missing schema migrations (store.migrate: auto, `db migrate`)
};

template <class Interface>
using Factory = std::function<std::unique_ptr<Interface>(const AdapterContext&)>;

// Instantiated for leerbedrijf::Backend, bpvmonitor::Backend, praktijkloket::Backend and consumer::Sink.
template <class Interface>
void register_adapter(const std::string& name, Factory<Interface> factory);
template <class Interface>
std::unique_ptr<Interface> make_adapter(const std::string& name, const AdapterContext& ctx);
template <class Interface>
std::vector<std::string> adapter_names();

// Registers every adapter compiled into this binary. Idempotent.
void register_builtin();

// Resolves a relative path in adapter settings against the configuration's directory.
std::string resolve(const std::string& base_dir, const std::string& path);

}  // namespace edugate::adapters
