#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# docs.sh - the lists README.md repeats for readers agree with the one table in
# the code: the pin names (user/pins.c pin_table) and README's pin table.
set -u
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)

code=$(sed -n '/^const struct pin_desc pin_table/,/^};/p' "$ROOT/user/pins.c" |
	grep -o '= { "[a-z0-9_]*"' | grep -o '"[a-z0-9_]*"' | tr -d '"' | sort)
doc=$(sed -n '/^| pin | content |/,/^$/p' "$ROOT/README.md" | cut -d'|' -f2 |
	grep -o '`[a-z0-9_]*`' | tr -d '`' | sort)
if [ -n "$code" ] && [ "$code" = "$doc" ]; then
	ok docs_pin_names
else
	fail docs_pin_names "pins.c: $(echo $code) / README: $(echo $doc)"
fi
