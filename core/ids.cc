#include "core/ids.h"

#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "core/rules.h"

namespace edugate {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// A character for a message: 'x', or its code when it does not print.
std::string shown(char c) {
  if (c > ' ' && c < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned char>(c));
  return std::string("teken ") + buf;
}
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

Result<Oin> Oin::parse(std::string_view t) {
  if (t.size() != 20)
    return make_error("OIN", "OIN heeft " + std::to_string(t.size()) + " tekens, niet 20", "OIN");
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!(is_digit(t[i]) || is_upper(t[i])))
      return make_error("OIN", "OIN bevat " + shown(t[i]) + " op positie " + std::to_string(i + 1) + ": alleen 0-9 en A-Z",
                        "OIN");
  if (!all_digits(t.substr(0, 8)))
    return make_error("OIN", "OIN-prefix " + std::string(t.substr(0, 8)) + " is niet numeriek", "OIN");
  return Oin(std::string(t));
}

Result<Brin> Brin::parse(std::string_view t) {
  if (t.size() != 4 || !all_digits(t.substr(0, 2)) || !is_upper(t[2]) || !is_upper(t[3]))
    return make_error("BRIN", "BRIN is niet van de vorm 99XX", "BRIN");
  return Brin(std::string(t));
}

Result<LeerbedrijfId> LeerbedrijfId::parse(std::string_view t) {
  if (t.size() != 9 || !all_digits(t) || t[0] == '0')
    return make_error("LEERBEDRIJFID", "LeerbedrijfID is geen getal van 9 cijfers (100000000-999999999)",
                      "LeerbedrijfID");
  return LeerbedrijfId(std::string(t));
}

Result<RioAanbiedercode> RioAanbiedercode::parse(std::string_view t) {
  if (t.size() != 7 || !all_digits(t.substr(0, 3)) || t[3] != 'A' || !all_digits(t.substr(4)))
    return make_error("RIO", "RIO onderwijsaanbiedercode is niet van de vorm 999A999", "RioOnderwijsaanbiedercode");
  return RioAanbiedercode(std::string(t));
}

Result<RioLocatiecode> RioLocatiecode::parse(std::string_view t) {
  if (t.size() != 7 || !all_digits(t.substr(0, 3)) || t[3] != 'X' || !all_digits(t.substr(4)))
    return make_error("RIO", "RIO locatiecode is niet van de vorm 999X999", "RioLocatiecode");
  return RioLocatiecode(std::string(t));
}

Result<Periode> Periode::parse(std::string_view t) {
  if (t.size() != 7 || !all_digits(t.substr(0, 4)) || t[4] != '-' || t[5] != 'K' || t[6] < '1' || t[6] > '4')
    return make_error("PERIODE", "Periode is niet van de vorm JJJJ-K1 .. JJJJ-K4", "Periode");
  return Periode(std::string(t));
}

Result<Crebo> Crebo::parse(std::string_view t) {
  if (t.size() != 5 || !all_digits(t)) return make_error("CREBO", "Crebo is geen code van 5 cijfers", "Crebo");
  return Crebo(std::string(t));
}

Result<KvkNummer> KvkNummer::parse(std::string_view t) {
  if (t.size() != 8 || !all_digits(t)) return make_error("KVK", "KvK-nummer is geen getal van 8 cijfers", "KvkNummer");
  return KvkNummer(std::string(t));
}

Result<Vestigingsnummer> Vestigingsnummer::parse(std::string_view t) {
  if (t.size() != 12 || !all_digits(t))
    return make_error("VESTIGING", "Vestigingsnummer is geen getal van 12 cijfers", "Vestigingsnummer");
  return Vestigingsnummer(std::string(t));
}

Result<MessageId> MessageId::parse(std::string_view t) {
  constexpr std::string_view prefix = "urn:uuid:";
  if (t.size() < prefix.size() || t.substr(0, prefix.size()) != prefix)
    return make_error(rules::EK0023, "wsa:MessageID is niet van de vorm urn:uuid:...", "wsa:MessageID");
  std::string_view u = t.substr(prefix.size());
  // 8-4-4-4-12 hex digits, RFC 4122 variant (10xx) in the 4th group.
  if (u.size() != 36) return make_error(rules::EK0023, "wsa:MessageID bevat geen geldige UUID", "wsa:MessageID");
  for (size_t i = 0; i < u.size(); ++i) {
    bool dash = (i == 8 || i == 13 || i == 18 || i == 23);
    if (dash ? u[i] != '-' : !is_hex(u[i]))
      return make_error(rules::EK0023, "wsa:MessageID bevat geen geldige UUID", "wsa:MessageID");
  }
  char variant = static_cast<char>(std::tolower(static_cast<unsigned char>(u[19])));
  if (variant != '8' && variant != '9' && variant != 'a' && variant != 'b')
    return make_error(rules::EK0023, "wsa:MessageID is geen RFC 4122 UUID (variant)", "wsa:MessageID");
  std::string lower(prefix);
  for (char c : u) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return MessageId(std::move(lower));
}

Result<Datum> Datum::parse(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !all_digits(t.substr(0, 4)) ||
      !all_digits(t.substr(5, 2)) || !all_digits(t.substr(8, 2)))
    return make_error("DATUM", "datum is niet van de vorm JJJJ-MM-DD", "");
  int y = std::stoi(std::string(t.substr(0, 4)));
  int m = std::stoi(std::string(t.substr(5, 2)));
  int d = std::stoi(std::string(t.substr(8, 2)));
  static constexpr std::array<int, 12> mdays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + ((m == 2 && leap) ? 1 : 0))
    return make_error("DATUM", "datum bestaat niet", "");
  return Datum(std::string(t));
}

Result<Leerweg> parse_leerweg(std::string_view t) {
  if (t == "BOL") return Leerweg::BOL;
  if (t == "BBL") return Leerweg::BBL;
  return make_error("LEERWEG", "Leerweg is niet BOL of BBL", "Leerweg");
}

const char* to_string(Leerweg l) { return l == Leerweg::BOL ? "BOL" : "BBL"; }

Oin school_oin(const Brin& brin) { return *Oin::parse("00000007000" + brin.str() + "00000"); }

std::optional<Brin> brin_of(const Oin& oin) {
  const std::string& s = oin.str();
  if (s.substr(0, 11) != "00000007000" || s.substr(15) != "00000") return std::nullopt;
  auto b = Brin::parse(s.substr(11, 4));
  if (!b) return std::nullopt;
  return *b;
}

std::string_view oin_register(const Oin& oin) { return std::string_view(oin.str()).substr(0, 8); }

MessageId new_message_id() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  // urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hand-formatted: snprintf was half the cost)
  static constexpr char hex[] = "0123456789abcdef";
  std::string s = "urn:uuid:";
  s.reserve(45);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return *MessageId::parse(s);
}

// Howard Hinnant's civil-date algorithms.
long days_from_civil(const Datum& dt) {
  int y = std::stoi(dt.str().substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(dt.str().substr(5, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(dt.str().substr(8, 2)));
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

Datum civil_from_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char s[32];
  std::snprintf(s, sizeof s, "%04ld-%02u-%02u", y, m, d);
  return *Datum::parse(s);
}

Datum today_utc() {
  auto now = std::chrono::system_clock::now();
  long days = std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
  return civil_from_days(days);
}

}  // namespace edugate
