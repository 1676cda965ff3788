// `edugate onboard`: parties, agreements and mandates of the registry.
#include <nlohmann/json.hpp>

#include <iostream>

#include "gateway/cli/common.h"
#include "gateway/ops/registry_file.h"

namespace edugate::gateway::cli {
namespace {

using json = nlohmann::ordered_json;
namespace st = store;

std::string service_help() { return "service: " + agreement_list(); }

// A party the store holds is taken as it is, also one saved before OINs were checked for their form.
std::function<bool(const Oin&)> held(st::Store& store) {
  return [&store](const Oin& o) { return store.find_party(o).has_value(); };
}

// The service of an agreement or mandate to save must be one of agreement_names(). One to remove
// may also be a name saved before names were checked (`saved`), so that such a typo can go.
void check_service(const std::string& name, bool remove, bool saved) {
  auto s = agreement_service(name);
  if (!s && !(remove && saved)) throw std::runtime_error("--service: " + s.error().message + "; nothing saved");
}

class Onboard : public Command {
 public:
  explicit Onboard(CLI::App& app) {
    cmd_ = app.add_subcommand("onboard", "manage parties, agreements and mandates");
    cmd_->add_option("--config,-c", config_file_, "configuration file")->required();
    cmd_->require_subcommand(1);
    cmd_->footer("Services an agreement or mandate names: " + agreement_list() +
                 "\nOIN: 20 characters of the OIN-stelsel, e.g. 00000003 + KvK-nummer + 0000, 00000001 + RSIN + 000, "
                 "00000007 + 000 + BRIN + 00000");
    party_ = cmd_->add_subcommand("party", "add or change a party");
    party_->add_option("--oin", oin_, "OIN");
    party_->add_option("--cert", cert_, "read the OIN from this certificate (PEM)");
    party_->add_option("--name", name_, "name")->required();
    party_->add_option("--kind", kind_, "school | vendor | sbb");
    party_->add_option("--status", status_, "actief | geschorst");
    party_->add_option("--endpoint", endpoint_, "https endpoint for pushes to this party");
    party_->add_option("--signing", signing_, "WS-Security: required (its requests must be signed, pushes to it are signed) | optional")
        ->check(CLI::IsMember({"required", "optional"}));
    agreement_ = cmd_->add_subcommand("agreement", "give or take a party's agreement for a service");
    agreement_->add_option("--oin", oin_, "OIN");
    agreement_->add_option("--cert", cert_, "read the OIN from this certificate (PEM)");
    agreement_->add_option("--service", svc_, service_help())->required();
    agreement_->add_flag("--remove", remove_, "remove instead of add");
    mandate_ = cmd_->add_subcommand("mandate", "let a vendor act for a school on a service");
    mandate_->add_option("--vendor", vendor_, "vendor OIN")->required();
    mandate_->add_option("--school", school_, "school OIN")->required();
    mandate_->add_option("--service", svc_, service_help())->required();
    mandate_->add_flag("--remove", remove_, "remove instead of add");
    list_ = cmd_->add_subcommand("list", "print the registry as JSON");
    apply_ = cmd_->add_subcommand(
        "apply", "save the parties, agreements and mandates of a file (YAML, or the JSON of onboard list) in one transaction");
    apply_->add_option("file", registry_file_, "registry file")->required();
  }
  bool parsed() const override { return cmd_->parsed(); }
  int run() override;

 private:
  void save_party(st::Store& store);
  int apply(st::Store& store);
  void list(st::Store& store);

  CLI::App *cmd_, *party_, *agreement_, *mandate_, *list_, *apply_;
  std::string config_file_, oin_, cert_, name_, kind_ = "school", status_ = "actief", endpoint_, vendor_, school_, svc_,
      signing_, registry_file_;
  bool remove_ = false;
};

int Onboard::run() {
  auto c = load_config(config_file_);
  auto store = open_store(c);
  if (party_->parsed()) {
    save_party(*store);
  } else if (agreement_->parsed()) {
    Oin o = oin_or_cert(oin_, cert_, "--oin", held(*store));
    check_service(svc_, remove_, store->has_agreement(o, svc_));
    if (!store->find_party(o)) throw std::runtime_error("party " + o.str() + " is not onboarded; add it first");
    store->set_agreement(o, svc_, !remove_);
    std::cout << "agreement " << o.str() << " " << svc_ << (remove_ ? " removed\n" : " saved\n");
  } else if (mandate_->parsed()) {
    Oin v = oin_or_cert(vendor_, "", "--vendor", held(*store)), s = oin_or_cert(school_, "", "--school", held(*store));
    check_service(svc_, remove_, store->has_mandate(v, s, svc_));
    if (!store->find_party(v) || !store->find_party(s)) throw std::runtime_error("both parties must be onboarded first");
    store->set_mandate(v, s, svc_, !remove_);
    std::cout << "mandate " << v.str() << " for " << s.str() << " on " << svc_ << (remove_ ? " removed\n" : " saved\n");
  } else if (apply_->parsed()) {
    return apply(*store);
  } else if (list_->parsed()) {
    list(*store);
  }
  return 0;
}

void Onboard::save_party(st::Store& store) {
  auto k = st::parse_party_kind(kind_);
  auto s = st::parse_party_status(status_);
  if (!k) throw std::runtime_error("--kind: " + k.error().message);
  if (!s) throw std::runtime_error("--status: " + s.error().message);
  st::Party p{oin_or_cert(oin_, cert_, "--oin", held(store)), name_, *k, *s, endpoint_};
  auto existing = store.find_party(p.oin);
  p.require_signature = signing_.empty() ? (existing && existing->require_signature) : signing_ == "required";
  store.upsert_party(p);
  std::cout << "party " << p.oin.str() << " (" << st::to_string(p.kind) << ", " << st::to_string(p.status) << ") saved\n";
}

int Onboard::apply(st::Store& store) {
  auto file = read_registry_file(registry_file_, [&](const Oin& o) { return store.find_party(o).has_value(); });
  if (!file) {
    std::cerr << "onboard apply: " << file.error().message << "; nothing saved" << std::endl;
    return 1;
  }
  store.apply_registry(file->parties, file->agreements, file->mandates);
  std::cout << "registry: " << file->parties.size() << " parties, " << file->agreements.size() << " agreements, "
            << file->mandates.size() << " mandates saved\n";
  return 0;
}

void Onboard::list(st::Store& store) {
  json out{{"parties", json::array()}, {"agreements", json::array()}, {"mandates", json::array()}};
  for (const auto& p : store.parties())
    out["parties"].push_back({{"oin", p.oin.str()}, {"naam", p.naam}, {"kind", st::to_string(p.kind)},
                              {"status", st::to_string(p.status)}, {"endpoint", p.endpoint},
                              {"signing", p.require_signature ? "required" : "optional"}});
  for (const auto& a : store.agreements()) out["agreements"].push_back({{"oin", a.party.str()}, {"service", a.service}});
  for (const auto& m : store.mandates())
    out["mandates"].push_back({{"vendor", m.vendor.str()}, {"school", m.school.str()}, {"service", m.service}});
  std::cout << out.dump(2) << std::endl;
}

}  // namespace

std::unique_ptr<Command> add_onboard(CLI::App& app) { return std::make_unique<Onboard>(app); }

}  // namespace edugate::gateway::cli
