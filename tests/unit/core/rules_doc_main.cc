// edugate_rules_doc [source-dir]: prints docs/RULES.md, the rule catalogue as markdown.
#include <iostream>

#include "rules_scan.h"

int main(int argc, char** argv) {
  std::cout << edugate::rules_scan::markdown(argc > 1 ? argv[1] : EDUGATE_SOURCE_DIR);
  return 0;
}
