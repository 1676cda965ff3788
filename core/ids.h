#pragma once
// Identifier types, parsed once at the edge. Code inside takes these types, never raw strings.
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace edugate {

// Non-empty and only 0-9: the digit runs the identifiers are made of.
bool all_digits(std::string_view s);

#define EDUGATE_ID_TYPE(Name)                                              \
  class Name {                                                             \
   public:                                                                 \
    static Result<Name> parse(std::string_view text);                      \
    const std::string& str() const { return value_; }                      \
    auto operator<=>(const Name&) const = default;                         \
                                                                           \
   private:                                                                \
    explicit Name(std::string v) : value_(std::move(v)) {}                 \
    std::string value_;                                                    \
  }

// Organisatie-identificatienummer: 20 chars [0-9A-Z], 8-digit register prefix.
EDUGATE_ID_TYPE(Oin);
// BRIN: 2 digits + 2 upper-case letters.
EDUGATE_ID_TYPE(Brin);
// LeerbedrijfID: 9 digits, 100000000..999999999.
EDUGATE_ID_TYPE(LeerbedrijfId);
// Crebo / opleidingscode: 5 digits.
EDUGATE_ID_TYPE(Crebo);
// KvK-nummer: 8 digits.
EDUGATE_ID_TYPE(KvkNummer);
// KvK vestigingsnummer: 12 digits.
EDUGATE_ID_TYPE(Vestigingsnummer);
// wsa:MessageID: urn:uuid: + RFC 4122 uuid (stored lower-case).
EDUGATE_ID_TYPE(MessageId);
// RIO onderwijsaanbiedercode 999A999 and RIO locatiecode 999X999.
EDUGATE_ID_TYPE(RioAanbiedercode);
EDUGATE_ID_TYPE(RioLocatiecode);
// A BPV Monitor period: a year quarter, JJJJ-K1 .. JJJJ-K4.
EDUGATE_ID_TYPE(Periode);
// ISO calendar date YYYY-MM-DD that exists (xs:date without time zone).
EDUGATE_ID_TYPE(Datum);

#undef EDUGATE_ID_TYPE

enum class Leerweg { BOL, BBL };
Result<Leerweg> parse_leerweg(std::string_view text);
const char* to_string(Leerweg l);

// OIN prefix 00000007: an onderwijs OIN derived from a BRIN.
Oin school_oin(const Brin& brin);
// The BRIN of an onderwijs OIN (00000007 000 BRIN 00000), if it is one.
std::optional<Brin> brin_of(const Oin& oin);
// The register prefix (first 8 characters) of an OIN.
std::string_view oin_register(const Oin& oin);

// A fresh MessageId (random RFC 4122 version 4 uuid).
MessageId new_message_id();

// Days since 1970-01-01 for a Datum, and back (proleptic Gregorian).
long days_from_civil(const Datum& d);
Datum civil_from_days(long days);
Datum today_utc();

}  // namespace edugate
