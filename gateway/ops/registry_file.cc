#include "gateway/ops/registry_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "core/oin_register.h"
#include "gateway/services/registry.h"
#include "security/pki.h"

namespace edugate::gateway {
namespace {

namespace fs = std::filesystem;

struct Refused {
  std::string field;
  std::string message;
};

class Reader {
 public:
  Reader(fs::path dir, const std::function<bool(const Oin&)>& onboarded) : dir_(std::move(dir)), onboarded_(onboarded) {}

  // The entry's keys must be among `allowed`: a misspelt key is refused, not ignored.
  static void only(const YAML::Node& entry, const std::string& where, std::initializer_list<const char*> allowed) {
    if (!entry.IsMap()) throw Refused{where, "must be a mapping"};
    for (const auto& kv : entry) {
      const auto key = kv.first.as<std::string>();
      bool known = false;
      for (const char* a : allowed) known = known || key == a;
      if (!known) throw Refused{where + "." + key, "is not a known key"};
    }
  }

  static std::string text(const YAML::Node& entry, const std::string& where, const char* key, bool required) {
    const auto n = entry[key];
    if (!n) {
      if (required) throw Refused{where + "." + key, "is missing"};
      return {};
    }
    if (!n.IsScalar()) throw Refused{where + "." + key, "must be a text"};
    return n.as<std::string>();
  }

  // `oin` (digits) or `cert` (a PEM whose OIN is taken): exactly one of the two.
  Oin party(const YAML::Node& entry, const std::string& where, const char* oin_key, const char* cert_key) const {
    const auto oin = text(entry, where, oin_key, false);
    const auto cert = cert_key ? text(entry, where, cert_key, false) : std::string();
    if (!oin.empty() && !cert.empty()) throw Refused{where, std::string("has both ") + oin_key + " and " + cert_key};
    if (cert.empty() && oin.empty())
      throw Refused{where + "." + oin_key, cert_key ? std::string("is missing (or give ") + cert_key + ")" : "is missing"};
    fs::path p(cert);
    if (!cert.empty() && p.is_relative()) p = dir_ / p;
    auto o = oin_of(oin, cert.empty() ? std::string() : p.string(), onboarded_);
    if (!o) throw Refused{where + "." + (cert.empty() ? oin_key : cert_key), o.error().message};
    return *o;
  }

  static std::string service(const YAML::Node& entry, const std::string& where) {
    auto s = agreement_service(text(entry, where, "service", true));
    if (!s) throw Refused{where + ".service", s.error().message};
    return *s;
  }

  static YAML::Node list(const YAML::Node& root, const char* key) {
    const auto n = root[key];
    if (!n || n.IsNull()) return YAML::Node(YAML::NodeType::Sequence);
    if (!n.IsSequence()) throw Refused{key, "must be a list"};
    return n;
  }

 private:
  fs::path dir_;
  const std::function<bool(const Oin&)>& onboarded_;
};

}  // namespace

Result<Oin> oin_of(const std::string& oin, const std::string& cert_path, const std::function<bool(const Oin&)>& held) {
  auto of_form = [&](const Oin& o, const std::string& what) -> Result<Oin> {
    auto form = check_oin_form(o);
    if (!form && !(held && held(o))) return make_error("", what + form.error().message);
    return o;
  };
  if (!cert_path.empty()) {
    auto id = security::identity_of_file(cert_path);
    if (!id) return make_error("", cert_path + ": " + id.error().message);
    return of_form(id->oin, cert_path + ": OIN " + id->oin.str() + ": ");
  }
  auto o = Oin::parse(oin);
  if (!o) return make_error("", "'" + oin + "': " + o.error().message);
  return of_form(*o, "'" + oin + "': ");
}

Result<std::string> agreement_service(const std::string& name) {
  if (is_agreement_name(name)) return name;
  return make_error("", "'" + name + "' is not a service; an agreement or mandate names one of: " +
                            agreement_list());
}

Result<RegistryFile> read_registry_file(const std::string& path, const std::function<bool(const Oin&)>& onboarded) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return make_error("REGISTRY", path + ": " + e.what());
  }
  RegistryFile out;
  try {
    if (!root.IsMap()) throw Refused{"", "the file must be a mapping with parties, agreements and mandates"};
    Reader::only(root, "", {"parties", "agreements", "mandates"});
    const Reader r(fs::path(path).parent_path(), onboarded);
    std::set<std::string> in_file;
    const auto parties = Reader::list(root, "parties");
    for (std::size_t i = 0; i < parties.size(); ++i) {
      const auto& e = parties[i];
      const std::string where = "parties[" + std::to_string(i) + "]";
      Reader::only(e, where, {"oin", "cert", "naam", "kind", "status", "endpoint", "signing"});
      const Oin oin = r.party(e, where, "oin", "cert");
      const auto naam = Reader::text(e, where, "naam", true);
      if (naam.empty()) throw Refused{where + ".naam", "is empty"};
      auto kind = store::parse_party_kind(Reader::text(e, where, "kind", true));
      if (!kind) throw Refused{where + ".kind", kind.error().message};
      auto status_text = Reader::text(e, where, "status", false);
      if (status_text.empty()) status_text = "actief";
      auto status = store::parse_party_status(status_text);
      if (!status) throw Refused{where + ".status", status.error().message};
      const auto endpoint = Reader::text(e, where, "endpoint", false);
      if (!endpoint.empty() && endpoint.rfind("https://", 0) != 0)
        throw Refused{where + ".endpoint", "'" + endpoint + "' is not an https URL"};
      const auto signing = Reader::text(e, where, "signing", false);
      if (!signing.empty() && signing != "required" && signing != "optional")
        throw Refused{where + ".signing", "must be required or optional, not '" + signing + "'"};
      store::Party p{oin, naam, *kind, *status, endpoint, signing == "required"};
      if (!in_file.insert(p.oin.str()).second) throw Refused{where, "party " + p.oin.str() + " is listed twice"};
      out.parties.push_back(std::move(p));
    }
    auto known = [&](const Oin& o) { return in_file.count(o.str()) > 0 || onboarded(o); };
    const auto agreements = Reader::list(root, "agreements");
    for (std::size_t i = 0; i < agreements.size(); ++i) {
      const auto& e = agreements[i];
      const std::string where = "agreements[" + std::to_string(i) + "]";
      Reader::only(e, where, {"oin", "cert", "service"});
      store::Agreement a{r.party(e, where, "oin", "cert"), Reader::service(e, where)};
      if (!known(a.party)) throw Refused{where, "party " + a.party.str() + " is not onboarded and not in the file"};
      out.agreements.push_back(std::move(a));
    }
    const auto mandates = Reader::list(root, "mandates");
    for (std::size_t i = 0; i < mandates.size(); ++i) {
      const auto& e = mandates[i];
      const std::string where = "mandates[" + std::to_string(i) + "]";
      Reader::only(e, where, {"vendor", "school", "service"});
      store::Mandate m{r.party(e, where, "vendor", nullptr), r.party(e, where, "school", nullptr), Reader::service(e, where)};
      if (!known(m.vendor)) throw Refused{where + ".vendor", "party " + m.vendor.str() + " is not onboarded and not in the file"};
      if (!known(m.school)) throw Refused{where + ".school", "party " + m.school.str() + " is not onboarded and not in the file"};
      out.mandates.push_back(std::move(m));
    }
  } catch (const Refused& r) {
    return make_error("REGISTRY", path + ": " + (r.field.empty() ? "" : r.field + ": ") + r.message, r.field);
  } catch (const YAML::Exception& e) {
    return make_error("REGISTRY", path + ": " + e.what());
  }
  return out;
}

}  // namespace edugate::gateway
