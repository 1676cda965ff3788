#pragma once
// The rule catalogue: every code the gateway answers or checks, defined once. A raise site names
// an entry (`make_error(rules::DK0005, ...)`), never a literal; tests/unit/core/rules_test.cc fails
// on a literal code outside core/rules.* and on an entry without a test named after it, and
// docs/RULES.md is generated from here (`edugate_rules_doc`).
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace edugate::rules {

enum class Side { client, server, none };  // the SOAP faultcode; none: not answered as a fault
enum class Kind {
  fault,    // a code in a SOAP Fault (edukoppeling.md §5)
  rule,     // a rule of the standard edugate checks (probe check ids, start-up checks); its
            // violation is answered with the fault code named in `text`
  melding,  // a business finding in a normal 200 answer (typed Melding), never a fault
};

struct Rule {
  std::string_view code;
  Kind kind;
  Side side;
  std::string_view text;      // faults: edukoppeling.md §5's text; rules: the rule; Meldingen: the meaning
  std::string_view standard;  // the rule of the standard it implements
  std::string_view field = {};  // Meldingen: the request field(s) it is about
};

// --- SOAP faults (edukoppeling.md §5) ---
inline constexpr Rule DK0001{"DK0001", Kind::fault, Side::client,
                             "invalid SOAP envelope: not well-formed XML, SOAP 1.2 namespace, DTD/DOCTYPE present, too "
                             "deep, more than one Body child",
                             "Digikoppeling WUS DK0001; WS-I Basic Profile 1.2 (SOAP 1.1)"};
inline constexpr Rule DK0002{"DK0002", Kind::fault, Side::client,
                             "not authorised: unknown or suspended OIN, no agreement for this service",
                             "Digikoppeling WUS DK0002; Edukoppeling §3 onboarding registry"};
inline constexpr Rule DK0003{"DK0003", Kind::fault, Side::client,
                             "invalid SOAPAction: HTTP SOAPAction neither \"\" nor equal to wsa:Action, or an action "
                             "this endpoint does not serve",
                             "Digikoppeling WUS DK0003; WUS WS002"};
inline constexpr Rule DK0004{"DK0004", Kind::fault, Side::client,
                             "body not valid against the service's XSD (say which element)",
                             "Digikoppeling WUS DK0004"};
inline constexpr Rule DK0005{"DK0005", Kind::fault, Side::client, "wsa:To missing or malformed (no ?oin=)",
                             "Digikoppeling WUS DK0005; Edukoppeling §2 wsa:To"};
inline constexpr Rule DK0006{"DK0006", Kind::fault, Side::client, "wsa:Action missing or malformed",
                             "Digikoppeling WUS DK0006; Edukoppeling §2 wsa:Action"};
inline constexpr Rule DK0007{"DK0007", Kind::fault, Side::client, "wsa:MessageID missing or malformed",
                             "Digikoppeling WUS DK0007; Edukoppeling §2 wsa:MessageID"};
inline constexpr Rule DK0008{"DK0008", Kind::fault, Side::client,
                             "(client side) response without wsa:RelatesTo, or RelatesTo ≠ our MessageID",
                             "Digikoppeling WUS DK0008; Edukoppeling §2 response headers"};
inline constexpr Rule DK0009{"DK0009", Kind::fault, Side::client, "not UTF-8",
                             "Digikoppeling WUS DK0009; WUS WS006"};
inline constexpr Rule DK0010{"DK0010", Kind::fault, Side::client,
                             "header blocks other than WS-Addressing (and wsse:Security where signing applies)",
                             "Digikoppeling WUS DK0010; WUS WS007"};
inline constexpr Rule DK0011{"DK0011", Kind::fault, Side::client,
                             "header value not as prescribed: wsa:To OIN is not ours, non-anonymous ReplyTo/FaultTo, "
                             "MessageID reused with different content, stale Timestamp",
                             "Digikoppeling WUS DK0011; Edukoppeling §2 wsa:ReplyTo, §4 replay, §6 idempotency"};
inline constexpr Rule DK0051{"DK0051", Kind::fault, Side::server,
                             "service unavailable (overload, backend or store down): the client may retry with the "
                             "same MessageID",
                             "Digikoppeling WUS DK0051; Edukoppeling §6 reliability"};
inline constexpr Rule EK0020{"EK0020", Kind::fault, Side::client, "wsa:From missing, or without a valid ?oin=",
                             "Edukoppeling §2 wsa:From"};
inline constexpr Rule EK0023{"EK0023", Kind::fault, Side::client, "wsa:MessageID not of the form urn:uuid:…",
                             "Edukoppeling §2 wsa:MessageID"};
inline constexpr Rule EK0030{"EK0030", Kind::fault, Side::client,
                             "OIN in wsa:From differs from the TLS certificate's OIN and no mandate covers it",
                             "Edukoppeling §3 identity and mandates (namens)"};
inline constexpr Rule EK0031{"EK0031", Kind::fault, Side::client,
                             "signature required but missing, invalid, incomplete (a required part not covered), "
                             "SHA-1, or signer ≠ TLS identity",
                             "Edukoppeling §4; Digikoppeling WUS 2W-be-S (WB001–WB014)"};
// An unexpected internal error: a Server fault without a code (only an incident id). Not an
// entry of all(): it has no code to test or document.
inline constexpr Rule internal{"", Kind::fault, Side::server, "unexpected internal error", "Edukoppeling §5"};
// The audit and metrics outcome of answering this fault: "fault:<code>" ("fault:" for internal).
inline std::string fault_outcome(const Rule& r) { return "fault:" + std::string(r.code); }

// --- rules of the standard edugate checks (edukoppeling.md §1, §4) ---
inline constexpr Rule WT001{"WT001", Kind::rule, Side::client,
                            "two-way TLS on every hop: no connection without a client certificate",
                            "Digikoppeling WUS WT001"};
inline constexpr Rule WT007{"WT007", Kind::rule, Side::none, "several messages may share one TLS session",
                            "Digikoppeling WUS WT007"};
inline constexpr Rule WT008{"WT008", Kind::rule, Side::none,
                            "a TLS session has a maximum lifetime, then the connection is closed",
                            "Digikoppeling WUS WT008"};
inline constexpr Rule WS002{"WS002", Kind::rule, Side::client,
                            "HTTP SOAPAction is \"\" or equals wsa:Action (else DK0003)", "Digikoppeling WUS WS002"};
inline constexpr Rule WS003{"WS003", Kind::rule, Side::none, "WSDL operations are request/response only (start-up check)",
                            "Digikoppeling WUS WS003"};
inline constexpr Rule WS005{"WS005", Kind::rule, Side::none, "one portType per WSDL (start-up check)",
                            "Digikoppeling WUS WS005"};
inline constexpr Rule WS006{"WS006", Kind::rule, Side::client,
                            "Content-Type text/xml; charset=utf-8, UTF-8 only (else DK0001 or DK0009)",
                            "Digikoppeling WUS WS006"};
inline constexpr Rule WS007{"WS007", Kind::rule, Side::client,
                            "no header blocks of one's own: only WS-Addressing and WS-Security (else DK0010)",
                            "Digikoppeling WUS WS007"};
inline constexpr Rule WS008{"WS008", Kind::rule, Side::none,
                            "each operation's wsam:Action is defined in the WSDL (start-up check)",
                            "Digikoppeling WUS WS008"};
inline constexpr Rule WW003{"WW003", Kind::rule, Side::client, "document/literal: exactly one Body child (else DK0001)",
                            "Digikoppeling WUS WW003; WS-I Basic Profile 1.2"};
inline constexpr Rule WW004{"WW004", Kind::rule, Side::none, "WSDL message parts by element only (start-up check)",
                            "Digikoppeling WUS WW004"};
inline constexpr Rule WB004{"WB004", Kind::rule, Side::client,
                            "Body, Timestamp and every WS-Addressing header are signed, each by wsu:Id (else EK0031)",
                            "Digikoppeling WUS 2W-be-S WB004"};
inline constexpr Rule WB014{"WB014", Kind::rule, Side::none,
                            "the answer to a signed request is signed and carries wsse11:SignatureConfirmation",
                            "Digikoppeling WUS 2W-be-S WB014"};

// --- Meldingen: business findings in a normal answer (edukoppeling.md §5, last paragraph) ---
#define EDUGATE_MELDING(name, code, text, field) \
  inline constexpr Rule name{code, Kind::melding, Side::none, text, "Edukoppeling §5 Melding (edugate)", field};
// Generic field checks (gateway/services/service_support.h and the services).
EDUGATE_MELDING(VERPLICHT, "VERPLICHT", "a required field is empty", "the field")
EDUGATE_MELDING(CRITERIUM, "CRITERIUM", "the search criteria do not form a valid combination", "the criterion")
EDUGATE_MELDING(TE_LANG, "TE-LANG", "a text is longer than its maximum", "the field")
EDUGATE_MELDING(TE_VEEL, "TE-VEEL", "a list has more entries than allowed", "Kwalificatie, Werkproces")
EDUGATE_MELDING(ONGELDIG_ID, "ONGELDIG-ID", "an id is not a positive number", "the id field")
EDUGATE_MELDING(ONGELDIG_DATUM, "ONGELDIG-DATUM", "a date is not JJJJ-MM-DD or does not exist", "the date field")
EDUGATE_MELDING(ONGELDIG_BRIN, "ONGELDIG-BRIN", "not a BRIN (99XX)", "Brin")
EDUGATE_MELDING(ONGELDIG_RIO, "ONGELDIG-RIO", "not a RIO code (999A999 / 999X999)",
                "RioOnderwijsaanbiedercode, RioLocatiecode")
EDUGATE_MELDING(ONGELDIG_CREBO, "ONGELDIG-CREBO", "not a crebo (5 digits)", "Crebo, Opleidingscode")
EDUGATE_MELDING(ONGELDIG_LEERWEG, "ONGELDIG-LEERWEG", "Leerweg is not BOL or BBL", "Leerweg")
EDUGATE_MELDING(ONGELDIG_LEERBEDRIJFID, "ONGELDIG-LEERBEDRIJFID", "not a LeerbedrijfID (9 digits)", "LeerbedrijfID")
EDUGATE_MELDING(ONGELDIG_KVK, "ONGELDIG-KVK", "not a KvK number (8 digits)", "KvkNummer")
EDUGATE_MELDING(ONGELDIG_VESTIGING, "ONGELDIG-VESTIGING", "not a vestigingsnummer (12 digits)", "Vestigingsnummer")
EDUGATE_MELDING(ONGELDIG_PERIODE, "ONGELDIG-PERIODE", "not a periode JJJJ-K1 .. JJJJ-K4", "Periode")
EDUGATE_MELDING(ONGELDIG_EMAIL, "ONGELDIG-EMAIL", "not an e-mail address", "Email fields")
EDUGATE_MELDING(ONGELDIG_PAGINA, "ONGELDIG-PAGINA", "Pagina starts at 1", "Pagina")
EDUGATE_MELDING(ONGELDIG_PAGINAGROOTTE, "ONGELDIG-PAGINAGROOTTE", "PaginaGrootte out of range", "PaginaGrootte")
EDUGATE_MELDING(ONGELDIG_AFSTAND, "ONGELDIG-AFSTAND", "MaxAfstandKm not between 1 and 300", "MaxAfstandKm")
EDUGATE_MELDING(ONGELDIG_VOLGNUMMER, "ONGELDIG-VOLGNUMMER", "VanafVolgnummer is negative", "VanafVolgnummer")
EDUGATE_MELDING(ONGELDIG_MAXAANTAL, "ONGELDIG-MAXAANTAL", "MaxAantal not between 1 and 1000", "MaxAantal")
EDUGATE_MELDING(ONGELDIG_KENMERK, "ONGELDIG-KENMERK", "BpvoKenmerk longer than 64 characters", "BpvoKenmerk")
EDUGATE_MELDING(ONGELDIG_STATUS, "ONGELDIG-STATUS", "Status is not actueel or archief", "Status")
EDUGATE_MELDING(ONGELDIG_ONDERWIJSVORM, "ONGELDIG-ONDERWIJSVORM",
                "onderwijsvorm is not mbo, vso, praktijkonderwijs or overig", "Onderwijsvorm")
// Leerbedrijf (adapters/db/leerbedrijf_backend.cc).
EDUGATE_MELDING(LB_ONBEKEND, "LB-ONBEKEND", "LeerbedrijfID is not known", "LeerbedrijfID")
EDUGATE_MELDING(LB_SAMENGEVOEGD, "LB-SAMENGEVOEGD", "the leerbedrijf was merged into another (warning)",
                "LeerbedrijfID")
EDUGATE_MELDING(LB_GEEN_RESULTAAT, "LB-GEEN-RESULTAAT", "no leerbedrijf matches (information)", "")
EDUGATE_MELDING(LB_ONBEKENDE_PLAATS, "LB-ONBEKENDE-PLAATS", "place unknown for a distance search", "Plaats")
EDUGATE_MELDING(LB_AL_ERKEND, "LB-AL-ERKEND", "already recognised for this qualification and leerweg (warning)",
                "KvkNummer")
// BPV-monitor (gateway/services/bpvmonitor_service.cc, adapters/db/bpvmonitor_backend.cc).
EDUGATE_MELDING(BPV_TE_GROOT, "BPV-TE-GROOT", "more than 1000 studentgegevens in one message; nothing stored",
                "Studentgegeven")
EDUGATE_MELDING(BPV_GEEN_SCHOOL, "BPV-GEEN-SCHOOL", "results exist only for a school OIN (BRIN)", "wsa:From")
EDUGATE_MELDING(BPV_BRIN, "BPV-BRIN", "the BRIN is not that of the school delivering", "Brin")
EDUGATE_MELDING(BPV_LEERBEDRIJF, "BPV-LEERBEDRIJF", "LeerbedrijfID unknown at SBB or merged", "LeerbedrijfID")
EDUGATE_MELDING(BPV_AFGELOPEN, "BPV-AFGELOPEN", "Einddatum in the past: the bpv is over", "Einddatum")
EDUGATE_MELDING(BPV_EINDDATUM, "BPV-EINDDATUM", "Einddatum more than three years ahead", "Einddatum")
EDUGATE_MELDING(BPV_KORT, "BPV-KORT", "Einddatum within three weeks (warning)", "Einddatum")
EDUGATE_MELDING(BPV_DUBBEL, "BPV-DUBBEL", "BpvoKenmerk twice in one message", "BpvoKenmerk")
EDUGATE_MELDING(BPV_BESTAAT, "BPV-BESTAAT", "BpvoKenmerk delivered before; use CorrigeerStudentgegeven",
                "BpvoKenmerk")
EDUGATE_MELDING(BPV_ONBEKEND, "BPV-ONBEKEND", "no delivered record with this BpvoKenmerk", "BpvoKenmerk")
EDUGATE_MELDING(BPV_GEEN_RESPONS, "BPV-GEEN-RESPONS", "no response for this selection (information)", "Filter")
// Praktijkloket (gateway/services/praktijkloket_service.cc, adapters/db/praktijkloket_backend.cc).
EDUGATE_MELDING(PL_TE_GROOT, "PL-TE-GROOT", "more than 1000 deelnemers in one message; nothing stored", "Deelnemer")
EDUGATE_MELDING(PL_BPV_UREN, "PL-BPV-UREN", "BpvUren not a whole number from 10 to 10000", "BpvUren")
EDUGATE_MELDING(PL_LOGO, "PL-LOGO", "the company logo is not an acceptable image", "Bedrijfslogo")
EDUGATE_MELDING(PL_ONBEKENDE_DEELNEMER, "PL-ONBEKENDE-DEELNEMER", "deelnemer unknown at this school", "DeelnemerID")
EDUGATE_MELDING(PL_GEBOORTEDATUM, "PL-GEBOORTEDATUM", "Geboortedatum in the future or before 1900", "Geboortedatum")
EDUGATE_MELDING(PL_ONBEKEND_LEERBEDRIJF, "PL-ONBEKEND-LEERBEDRIJF", "LeerbedrijfID unknown at SBB or merged",
                "LeerbedrijfID")
EDUGATE_MELDING(PL_ONBEKENDE_KWALIFICATIE, "PL-ONBEKENDE-KWALIFICATIE", "crebo or its version unknown",
                "Kwalificatie/Crebo")
EDUGATE_MELDING(PL_DUBBEL, "PL-DUBBEL", "a qualification or werkproces listed twice", "Kwalificatie, Werkproces")
EDUGATE_MELDING(PL_ONBEKEND_WERKPROCES, "PL-ONBEKEND-WERKPROCES", "werkproces not part of the qualification",
                "Werkproces")
EDUGATE_MELDING(PL_DATUMVOLGORDE, "PL-DATUMVOLGORDE", "Einddatum before Begindatum", "Einddatum")
EDUGATE_MELDING(PL_DUBBELE_DEELNEMER, "PL-DUBBELE-DEELNEMER",
                "a deelnemer with this name and date of birth exists; set Doorzetten to add anyway", "Deelnemer")
EDUGATE_MELDING(PL_AL_GEARCHIVEERD, "PL-AL-GEARCHIVEERD", "deelnemer already archived", "DeelnemerID")
EDUGATE_MELDING(PL_NIET_GEARCHIVEERD, "PL-NIET-GEARCHIVEERD", "deelnemer not archived", "DeelnemerID")
EDUGATE_MELDING(PL_MEER_RESULTATEN, "PL-MEER-RESULTATEN", "more than 500 deelnemers found (information)", "")
EDUGATE_MELDING(PL_ONBEKEND_DOCUMENT, "PL-ONBEKEND-DOCUMENT", "begeleidingsdocument unknown at this school",
                "DocumentID, BegeleidingsdocumentID")
EDUGATE_MELDING(PL_GEARCHIVEERD, "PL-GEARCHIVEERD", "deelnemer is archived; restore first", "DeelnemerID")
EDUGATE_MELDING(PL_ONBEKENDE_PRAKTIJKOPLEIDER, "PL-ONBEKENDE-PRAKTIJKOPLEIDER",
                "praktijkopleider not of this leerbedrijf or deelnemer", "PraktijkopleiderID")
EDUGATE_MELDING(PL_AFGEROND, "PL-AFGEROND", "begeleidingsdocument is completed and cannot change", "DocumentID")
EDUGATE_MELDING(PL_ONBEKENDE_VERKLARING, "PL-ONBEKENDE-VERKLARING", "praktijkverklaring unknown at this school",
                "VerklaringID")
EDUGATE_MELDING(PL_WERKPROCESSEN, "PL-WERKPROCESSEN", "give BegeleidingsdocumentID or Werkproces, not both",
                "Werkproces")
EDUGATE_MELDING(PL_ANDERE_DEELNEMER, "PL-ANDERE-DEELNEMER", "begeleidingsdocument belongs to another deelnemer",
                "BegeleidingsdocumentID")
EDUGATE_MELDING(PL_BRANCHELOGO, "PL-BRANCHELOGO", "unknown branchelogo", "Branchelogo")
EDUGATE_MELDING(PL_DEFINITIEF, "PL-DEFINITIEF", "praktijkverklaring is final: no change, no delete", "VerklaringID")
EDUGATE_MELDING(PL_NIET_ERKEND, "PL-NIET-ERKEND", "a praktijkverklaring becomes final only at a recognised leerbedrijf",
                "LeerbedrijfID")
EDUGATE_MELDING(PL_NIET_EIGENAAR, "PL-NIET-EIGENAAR", "only the school that made the praktijkverklaring may delete it",
                "VerklaringID")
EDUGATE_MELDING(PL_PDF, "PL-PDF", "the PDF cannot be made", "")
#undef EDUGATE_MELDING

// Every entry with a code, faults first, then rules, then Meldingen.
std::span<const Rule* const> all();
// The entry with this code, or nullptr.
const Rule* find(std::string_view code);
// The Melding code of a field a parser refused: ONGELDIG-<the parser's tag>.
inline constexpr std::string_view kInvalidPrefix = "ONGELDIG-";
// The Melding for a field whose parser refused it with `tag` (core/ids.cc: BRIN, CREBO, ...):
// ONGELDIG-<tag>; nullptr for a tag without an entry.
const Rule* invalid_field(std::string_view tag);

// The SOAP faultcode for a raised code: Server only for a Server entry (DK0051) and for the
// empty code of an internal error; any other code, known or not, is a Client fault.
inline bool is_client(std::string_view code) {
  if (code.empty()) return false;
  const Rule* r = find(code);
  return !(r && r->side == Side::server);
}

// "(WS007)": a rule cited in a message text.
inline std::string cite(const Rule& r) { return "(" + std::string(r.code) + ")"; }

// "fault:DK0001" ... for every fault entry, for the metrics' outcome labels.
std::span<const std::string> fault_outcomes();

}  // namespace edugate::rules

namespace edugate {
inline Error make_error(const rules::Rule& r, std::string message, std::string field = {}) {
  return Error{std::string(r.code), std::move(message), std::move(field)};
}
}  // namespace edugate
