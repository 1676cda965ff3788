#pragma once
// Reads an adapter's settings block: only known keys, typed values, errors naming the adapter and
// the key. The adapters add their own accessors (a file path, a connection string) on top.
#include <yaml-cpp/yaml.h>

#include <set>
#include <stdexcept>
#include <string>

#include "adapters/registry.h"

namespace edugate::adapters {

class AdapterSettings {
 public:
  AdapterSettings(const AdapterContext& ctx, std::string adapter, const std::set<std::string>& known)
      : ctx_(ctx), adapter_(std::move(adapter)) {
    if (!ctx.settings.IsDefined() || ctx.settings.IsNull()) return;
    for (const auto& kv : ctx.settings) {
      auto key = kv.first.as<std::string>();
      if (!known.count(key)) fail("unknown key '" + key + "'");
    }
  }

  template <class T>
  T get(const char* key, T def, const char* type) const {
    auto n = ctx_.settings[key];
    if (!n) return def;
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(std::string("key '") + key + "' must be " + type);
    }
  }

 protected:
  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error("adapters." + adapter_ + ": " + what); }
  YAML::Node node(const char* key) const { return ctx_.settings[key]; }
  const AdapterContext& context() const { return ctx_; }

 private:
  const AdapterContext& ctx_;
  std::string adapter_;
};

}  // namespace edugate::adapters
