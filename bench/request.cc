#include "bench/request.h"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "gateway/soap/contract.h"
#include "gateway/soap/envelope.h"
#include "gateway/outbound/json_xml.h"
#include "core/clock.h"
#include "core/url.h"

namespace edugate::bench {

namespace gw = edugate::gateway;
using json = nlohmann::ordered_json;

Target parse_target(const std::string& url) {
  if (url.rfind("https://", 0) != 0) throw std::runtime_error("--url must start with https://: " + url);
  auto u = parse_url(url);
  if (!u) throw std::runtime_error("--url has no usable host and port: " + url + " (" + u.error().message + ")");
  Target t;
  t.host = u->host;
  t.port = u->port;
  t.path = u->path();
  while (!t.path.empty() && t.path.back() == '/') t.path.pop_back();
  return t;
}

std::string expand_dates(const std::string& text, const Datum& today) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const auto open = text.find("{{today", pos);
    if (open == std::string::npos) break;
    const auto close = text.find("}}", open);
    if (close == std::string::npos) throw std::runtime_error("unterminated {{today placeholder");
    const std::string offset = text.substr(open + 7, close - open - 7);  // "", "+N" or "-N"
    long days = 0;
    if (!offset.empty()) {
      if ((offset[0] != '+' && offset[0] != '-') || offset.size() < 2 ||
          offset.find_first_not_of("0123456789", 1) != std::string::npos)
        throw std::runtime_error("placeholder {{today" + offset + "}}: expected {{today}}, {{today+N}} or {{today-N}}");
      days = std::stol(offset.substr(1)) * (offset[0] == '-' ? -1 : 1);
    }
    out.append(text, pos, open - pos);
    out += civil_from_days(days_from_civil(today) + days).str();
    pos = close + 2;
  }
  out.append(text, pos);
  return out;
}

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Unique per run (milliseconds since the epoch, base 36), so {{seq}} keys of one run do not
// collide with those of an earlier run against the same store.
std::string run_tag() {
  auto ms = static_cast<std::uint64_t>(
      edugate::now_ms());
  std::string s;
  do {
    s.insert(s.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[ms % 36]);
    ms /= 36;
  } while (ms);
  return s;
}

}  // namespace

RequestTemplate::RequestTemplate(std::string service, std::string operation, std::string action, std::string path,
                                 std::string to, std::string from, const std::string& body)
    : service_(std::move(service)),
      operation_(std::move(operation)),
      action_(std::move(action)),
      path_(std::move(path)),
      to_(std::move(to)),
      from_(std::move(from)),
      run_tag_(run_tag()) {
  static constexpr std::string_view kSeq = "{{seq}}";
  std::size_t pos = 0;
  for (auto at = body.find(kSeq); at != std::string::npos; at = body.find(kSeq, pos)) {
    parts_.push_back(body.substr(pos, at - pos));
    pos = at + kSeq.size();
  }
  parts_.push_back(body.substr(pos));
}

std::string RequestTemplate::envelope(std::uint64_t seq) const {
  std::string body = parts_.front();
  if (parts_.size() > 1) {
    const std::string token = run_tag_ + "-" + std::to_string(seq);
    for (std::size_t i = 1; i < parts_.size(); ++i) body += token + parts_[i];
  }
  return gw::build_envelope(gw::OutHeaders{to_, from_, action_, new_message_id().str(), ""}, body);
}

RequestTemplate RequestTemplate::load(const std::string& file, const std::string& contract_dir, const Target& target,
                                      const std::optional<Oin>& own_oin) {
  json j;
  try {
    j = json::parse(slurp(file));
  } catch (const json::exception& e) {
    throw std::runtime_error(file + ": not JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(file + ": expected a JSON object");
  for (const auto& [key, value] : j.items())
    if (key != "service" && key != "action" && key != "to_oin" && key != "from_oin" && key != "body")
      throw std::runtime_error(file + ": unknown key '" + key + "'");
  auto text = [&](const char* key, bool required) -> std::string {
    if (!j.contains(key)) {
      if (required) throw std::runtime_error(file + ": '" + key + "' is missing");
      return {};
    }
    if (!j[key].is_string()) throw std::runtime_error(file + ": '" + key + "' must be a string");
    return j[key].get<std::string>();
  };
  auto oin = [&](const char* key, const std::string& value) {
    auto o = Oin::parse(value);
    if (!o) throw std::runtime_error(file + ": '" + key + "': " + o.error().message);
    return *o;
  };
  const std::string service = text("service", true);
  const auto contract = gw::load_contract(contract_dir, service);
  const std::string action = text("action", true);
  const gw::Operation* op = contract.by_name(action);
  if (!op) op = contract.by_action(action);
  if (!op) throw std::runtime_error(file + ": service " + service + " has no operation " + action);
  const Oin to = oin("to_oin", text("to_oin", true));
  const std::string from_text = text("from_oin", false);
  if (from_text.empty() && !own_oin)
    throw std::runtime_error(file + ": 'from_oin' is missing and the certificate has no OIN");
  const Oin from = from_text.empty() ? *own_oin : oin("from_oin", from_text);

  if (!j.contains("body")) throw std::runtime_error(file + ": 'body' is missing");
  std::string body;
  if (j["body"].is_string()) {
    body = j["body"].get<std::string>();
  } else if (j["body"].is_object()) {
    auto xml = gw::XsdModel::load(contract_dir)->json_to_xml(contract.target_ns, op->input_element, j["body"]);
    if (!xml)
      throw std::runtime_error(file + ": body: " + xml.error().message +
                               (xml.error().field.empty() ? "" : " (" + xml.error().field + ")"));
    body = *xml;
  } else {
    throw std::runtime_error(file + ": 'body' must be XML text or a JSON object");
  }
  body = expand_dates(body, today_utc());

  const std::string path = target.path.empty() ? contract.path : target.path;
  const std::string host = target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  const std::string endpoint = "https://" + host + ":" + target.port + path;
  return RequestTemplate(service, op->name, op->input_action, path, gw::address_with_oin(endpoint, to),
                         gw::anonymous_with_oin(from), body);
}

}  // namespace edugate::bench
