// `edugate refdata load FILE`: replaces the Praktijkloket's kwalificatiestructuur.
#include <fstream>
#include <iostream>
#include <iterator>

#include "gateway/cli/common.h"

namespace edugate::gateway::cli {
namespace {

class Refdata : public Command {
 public:
  explicit Refdata(CLI::App& app) {
    auto* refdata = app.add_subcommand("refdata", "reference data of the Praktijkloket");
    refdata->add_option("--config,-c", config_file_, "configuration file")->required();
    refdata->require_subcommand(1);
    refdata->fallthrough();  // --config also after the subcommand
    load_ = refdata->add_subcommand("load", "replace the kwalificatiestructuur with an XML catalogue (docs/REFDATA.md)");
    load_->add_option("file", refdata_file_, "kwalificatiestructuur XML file")->required();
  }
  bool parsed() const override { return load_->parsed(); }
  int run() override {
    auto c = load_config(config_file_);
    setup_logging(c.log_level);
    auto services = make_services(c);
    if (!services.praktijkloket) throw std::runtime_error("services.praktijkloket is not enabled in " + config_file_);
    std::ifstream in(refdata_file_, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + refdata_file_);
    std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string summary;
    auto st = services.praktijkloket->load_kwalificatiestructuur(xml, summary);
    if (!st) {
      std::cerr << "refdata: " << refdata_file_ << " refused, nothing changed: " << st.error().message << std::endl;
      return 1;
    }
    std::cout << "kwalificatiestructuur loaded: " << summary << std::endl;
    return 0;
  }

 private:
  CLI::App* load_;
  std::string config_file_, refdata_file_;
};

}  // namespace

std::unique_ptr<Command> add_refdata(CLI::App& app) { return std::make_unique<Refdata>(app); }

}  // namespace edugate::gateway::cli
