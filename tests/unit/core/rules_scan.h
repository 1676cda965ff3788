#pragma once
// Reads the source tree for the rule catalogue's tests and docs/RULES.md: which tests are named
// after (or assert) each entry, and which literal codes are raised outside core/rules.*.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/rules.h"

namespace edugate::rules_scan {

// "Suite.Name" of the TEST/TEST_F/TEST_P under tests/ named `<CODE>_…` (a Melding's code with
// '-' as '_'), per code.
std::map<std::string, std::vector<std::string>> tests_named_after(const std::string& source_dir);
// "Suite.Name" of the tests whose body holds the code as a string literal ("PL-BPV-UREN"), per code.
std::map<std::string, std::vector<std::string>> tests_asserting(const std::string& source_dir);


// "file:line: CODE" for each code written as a literal in the non-test sources (core, gateway,
// security, store, adapters, app) outside core/rules.*: a fault or rule code inside a string
// literal, or a Melding made from a literal code (fout("X", …), Melding{"X", …}).
std::vector<std::string> literal_codes(const std::string& source_dir);

// The identifier a test name starts with for this entry: the code, '-' written '_'.
std::string test_prefix(const rules::Rule& r);

// docs/RULES.md: the catalogue as markdown tables, with where each entry is tested.
std::string markdown(const std::string& source_dir);

}  // namespace edugate::rules_scan
