#pragma once
// The registers of the OIN-stelsel (Logius, "OIN Stelsel", Data Architectuur: the prefix table)
// and the form each gives an OIN beyond Oin::parse: the prefix, the register's number
// (hoofdnummer, 8 or 9 positions) and a suffix of zeros that fills 20 characters.
#include "core/ids.h"
#include "core/result.h"

namespace edugate {

// A known register prefix, then that register's number and suffix: 00000003 + KvK-nummer
// (8 digits) + 0000 (PKIoverheid G4, new OINs), 00000001 + RSIN (9 digits) + 000 (older ones),
// 00000007 + 000 + BRIN + 00000 (school_oin), ... The error says what is wrong and what the
// register's OINs look like. Checked where a party is onboarded, so a typo is refused there; on
// the wire parsing suffices: the registry refuses an OIN it does not hold (DK0002).
Status check_oin_form(const Oin& oin);

}  // namespace edugate
