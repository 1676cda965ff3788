#include "core/oin_register.h"

#include <string>
#include <string_view>

namespace edugate {
namespace {

enum class OinForm {
  rsin9,   // 9 digits + 000
  kvk8,    // 8 digits + 0000
  brin,    // 000 + BRIN + 00000, as school_oin() makes it
  number,  // 8 or 9 positions 0-9/A-Z, the register's own, + 0000 or 000: ends in 000
  test,    // anything after the prefix
};
// Where the standard leaves a register's number open (it "can be alphanumeric, depending on the
// register"), the form is `number`: better to take an odd real OIN than to refuse it.
struct OinRegister {
  std::string_view prefix, name;
  OinForm form;
};
constexpr OinRegister kOinRegisters[] = {
    {"00000001", "RSIN", OinForm::rsin9},
    {"00000002", "fiscaal nummer", OinForm::rsin9},
    {"00000003", "KvK-nummer", OinForm::kvk8},
    {"00000004", "SubOIN", OinForm::number},
    {"00000006", "Logius-hoofdnummer", OinForm::number},
    {"00000007", "onderwijs (BRIN)", OinForm::brin},
    {"00000008", "buitenlandse organisatie", OinForm::number},
    {"00000009", "UZI/Dezi zorgaanbieder", OinForm::number},
    {"00000010", "TRR Belastingdienst", OinForm::number},
    {"00000011", "Dezi zorgverzekeraar", OinForm::number},
    {"00000099", "test", OinForm::test},
};

// What an OIN of the register looks like, for the message.
std::string oin_form_text(const OinRegister& r) {
  const std::string p(r.prefix);
  switch (r.form) {
    case OinForm::rsin9: return p + " + " + std::string(r.name) + " (9 cijfers) + 000";
    case OinForm::kvk8: return p + " + KvK-nummer (8 cijfers) + 0000";
    case OinForm::brin: return p + " + 000 + BRIN (2 cijfers, 2 hoofdletters) + 00000";
    case OinForm::number: return p + " + nummer (8 of 9 tekens) + 0000 of 000";
    case OinForm::test: return p + " + 12 tekens";
  }
  return p;
}

std::string known_oin_registers() {
  std::string out;
  for (const auto& r : kOinRegisters) {
    if (!out.empty()) out += ", ";
    out += std::string(r.prefix) + " " + std::string(r.name);
  }
  return out;
}

}  // namespace

Status check_oin_form(const Oin& oin) {
  const std::string_view s = oin.str();
  const std::string_view prefix = s.substr(0, 8);
  const OinRegister* reg = nullptr;
  for (const auto& r : kOinRegisters)
    if (r.prefix == prefix) reg = &r;
  if (!reg)
    return make_error("OIN", "OIN-prefix " + std::string(prefix) + " is geen OIN-register (bekend: " + known_oin_registers() + ")",
                      "OIN");
  auto wrong = [&](const std::string& what) {
    return make_error("OIN", what + "; een OIN met prefix " + std::string(prefix) + " is " + oin_form_text(*reg), "OIN");
  };
  auto number_of = [&](std::size_t digits, std::string_view zeros) -> Status {
    const std::string_view number = s.substr(8, digits), suffix = s.substr(8 + digits);
    if (!all_digits(number))
      return wrong(std::string(reg->name) + " " + std::string(number) + " is geen getal van " + std::to_string(digits) +
                   " cijfers");
    if (suffix != zeros) return wrong("OIN eindigt op " + std::string(suffix) + ", niet op " + std::string(zeros));
    return ok_status();
  };
  switch (reg->form) {
    case OinForm::rsin9: return number_of(9, "000");
    case OinForm::kvk8: return number_of(8, "0000");
    case OinForm::brin:
      if (!brin_of(oin)) return wrong(std::string(s.substr(8)) + " is niet 000 + BRIN + 00000");
      return ok_status();
    case OinForm::number:
      if (s.substr(17) != "000") return wrong("OIN eindigt op " + std::string(s.substr(17)) + ", niet op 000");
      return ok_status();
    case OinForm::test: return ok_status();
  }
  return ok_status();
}

}  // namespace edugate
