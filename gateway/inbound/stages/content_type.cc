// Stage content_type: SOAP 1.1 travels as text/xml (application/soap+xml is SOAP 1.2: DK0001),
// in UTF-8 only [WS006] (another charset: DK0009).
#include <cctype>

#include "core/rules.h"
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

class ContentType final : public Stage {
 public:
  Status run(InboundExchange& ex) override {
    std::string ct = ex.req.content_type;
    for (auto& ch : ct) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ct.rfind("application/soap+xml", 0) == 0)
      return make_error(rules::DK0001, "SOAP 1.2 wordt niet ondersteund; gebruik SOAP 1.1 (text/xml)");
    if (ct.rfind("text/xml", 0) != 0) return make_error(rules::DK0001, "Content-Type moet text/xml; charset=utf-8 zijn");
    if (auto cs = ct.find("charset="); cs != std::string::npos) {
      std::string charset = ct.substr(cs + 8);
      charset = charset.substr(0, charset.find(';'));
      std::erase(charset, '"');
      if (charset != "utf-8") return make_error(rules::DK0009, "alleen charset=utf-8 is toegestaan " + rules::cite(rules::WS006));
    }
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Stage> content_type(const ChainDeps&) { return std::make_unique<ContentType>(); }

}  // namespace edugate::gateway::stages
