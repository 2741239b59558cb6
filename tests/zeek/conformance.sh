#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# conformance.sh - replay Zeek's test traces and compare with the conn.log
# rows Zeek's test suite expects; see compare.py and known-gaps.tsv.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
# the repository's own copy of the oracle (tests/zeek/oracle/, see its LICENSE)
ORACLE=${ZEEK_ORACLE:-$here/oracle}
if [ ! -r "$ORACLE/expected.tsv" ]; then
	skip zeek_conformance "no oracle at $ORACLE"
	exit 0
fi
need_root zeek_conformance || exit 0
exec python3 "$here/compare.py" "$ORACLE" "$XDPCT" "$here/known-gaps.tsv"
