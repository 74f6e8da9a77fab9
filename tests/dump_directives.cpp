// SPDX-License-Identifier: Apache-2.0
// dump_directives - prints the config directive table, one directive per line:
// NAME<TAB>TYPE<TAB>DEFAULT<TAB>RANGE (RANGE empty when there is none).
// Used by tests/check_docs.sh to compare the table with man/consent-milter.conf.5.
// With --reasons, prints the reason table instead: CHECK<TAB>CODE<TAB>EXPLANATION, used by
// tests/check_reasons.sh to compare it with REASON CODES in man/consent-milter.8.
#include <cstdio>
#include <cstring>
#include <string>

#include "checks/reason.h"
#include "config/config.h"

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--reasons") == 0) {
        for (const cm::ReasonInfo& r : cm::kReasonTable) {
            if (r.reason == cm::Reason::none) continue;
            std::printf("%s\t%s\t%s\n", std::string(cm::check_name(r.check)).c_str(), std::string(r.code).c_str(),
                        std::string(r.explanation).c_str());
        }
        return 0;
    }
    for (const cm::DirectiveDoc& d : cm::directive_docs())
        std::printf("%s\t%s\t%s\t%s\n", d.name, d.type, d.default_value, d.range);
    return 0;
}
