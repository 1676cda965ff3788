// `edugate send`: one message over mutual TLS, the answer printed as JSON.
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <fstream>
#include <iostream>

#include "gateway/cli/common.h"
#include "gateway/outbound/client.h"
#include "gateway/outbound/json_xml.h"

namespace edugate::gateway::cli {
namespace {

using json = nlohmann::ordered_json;

class Send : public Command {
 public:
  explicit Send(CLI::App& app) {
    cmd_ = app.add_subcommand("send", "send one message over mutual TLS and print the answer as JSON");
    cmd_->add_option("--config,-c", config_file_, "configuration file")->required();
    cmd_->add_option("--service", service_, "service (WSDL name)");
    cmd_->add_option("--action", action_, "operation name or action URI")->required();
    auto* jopt = cmd_->add_option("--json", json_file_, "request as JSON (mirrors the XSD)");
    auto* xopt = cmd_->add_option("--xml", xml_file_, "request element as XML");
    jopt->excludes(xopt);
    cmd_->add_option("--message-id", message_id_, "reuse a MessageID (retry)");
    cmd_->add_option("--act-for", act_for_, "school OIN to act for (vendor with mandate)");
    cmd_->add_option("--save-pdf", save_pdf_, "write a document's PDF from the answer to this file");
  }
  bool parsed() const override { return cmd_->parsed(); }
  int run() override;

 private:
  CLI::App* cmd_;
  std::string config_file_, service_ = "leerbedrijf", action_, json_file_, xml_file_, message_id_, act_for_, save_pdf_;
};

int Send::run() {
  auto config = load_config(config_file_);
  setup_logging("warn");
  auto contract = load_contract(config.contract_dir, service_);
  const Operation* op = contract.by_name(action_);
  if (!op) op = contract.by_action(action_);
  if (!op) throw std::runtime_error("service " + service_ + " has no operation " + action_);

  std::string body;
  auto model = XsdModel::load(config.contract_dir);
  if (!json_file_.empty()) {
    auto j = json::parse(read_file(json_file_));
    auto x = model->json_to_xml(contract.target_ns, op->input_element, j);
    if (!x) throw std::runtime_error("request JSON: " + x.error().message + (x.error().field.empty() ? "" : " (" + x.error().field + ")"));
    body = *x;
  } else {
    body = read_file(xml_file_);
  }
  SendOptions opts;
  if (!message_id_.empty()) {
    auto m = MessageId::parse(message_id_);
    if (!m) throw std::runtime_error("--message-id: " + m.error().message);
    opts.message_id = *m;
  }
  if (!act_for_.empty()) {
    auto o = Oin::parse(act_for_);
    if (!o) throw std::runtime_error("--act-for: " + o.error().message);
    opts.act_for = *o;
  }
  Client client(config);
  auto ex = client.send(contract, *op, body, opts);
  if (!ex) {
    json err{{"error", {{"code", ex.error().code}, {"message", ex.error().message}, {"field", ex.error().field}}}};
    std::cout << err.dump(2) << std::endl;
    return 2;
  }
  json out;
  out["http_status"] = ex->http_status;
  out["message_id"] = ex->sent.str();
  out["relates_to"] = ex->relates_to;
  out["action"] = ex->action;
  if (ex->is_fault) {
    out["fault"] = {{"faultcode", ex->faultcode}, {"faultstring", ex->faultstring}, {"code", ex->fault_code},
                    {"field", ex->fault_field}};
  } else {
    auto body_json = model->xml_text_to_json(ex->body_xml);
    out["body"] = body_json ? *body_json : json(ex->body_xml);
    // A document's PDF (base64 in the answer) goes to the named file instead of the terminal.
    if (!save_pdf_.empty() && out["body"].is_object() && out["body"].contains("Pdf") && out["body"]["Pdf"].is_string()) {
      std::string b64 = out["body"]["Pdf"];
      std::string pdf(b64.size() / 4 * 3 + 3, '\0');
      int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(pdf.data()), reinterpret_cast<const unsigned char*>(b64.data()),
                              static_cast<int>(b64.size()));
      if (n < 0) throw std::runtime_error("the answer's Pdf is not base64");
      pdf.resize(static_cast<std::size_t>(n) - (b64.ends_with("==") ? 2 : b64.ends_with("=") ? 1 : 0));
      std::ofstream(save_pdf_, std::ios::binary) << pdf;
      out["body"]["Pdf"] = "(" + std::to_string(pdf.size()) + " bytes written to " + save_pdf_ + ")";
    }
  }
  std::cout << out.dump(2) << std::endl;
  return ex->is_fault ? 1 : 0;
}

}  // namespace

std::unique_ptr<Command> add_send(CLI::App& app) { return std::make_unique<Send>(app); }

}  // namespace edugate::gateway::cli
