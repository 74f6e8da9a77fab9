// SPDX-License-Identifier: Apache-2.0
// dump_directives - prints the config directive table, one directive per line:
// NAME<TAB>TYPE<TAB>DEFAULT<TAB>RANGE (RANGE empty when there is none).
// Used by tests/check_docs.sh to compare the table with man/consent-milter.conf.5.
#include <cstdio>

#include "config/config.h"

int main() {
    for (const cm::DirectiveDoc& d : cm::directive_docs())
        std::printf("%s\t%s\t%s\t%s\n", d.name, d.type, d.default_value, d.range);
    return 0;
}
