#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh - replay each crafted capture of this directory (make_captures.py)
# and compare every flow with expected.tsv: state, conn_state, history,
# packets, bytes and anomalies exactly, and no flow more or less.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
need_root captures || exit 0
exec python3 - "$XDPCT" "$here" <<'PY'
import collections, csv, json, subprocess, sys
xdpct, here = sys.argv[1], sys.argv[2]
want = collections.defaultdict(list)
with open(here + "/expected.tsv") as f:
    for r in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t"):
        want[r[0]].append(r)
keys = ["state", "conn_state", "history", "orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes"]
for pcap, rows in want.items():
    p = subprocess.run([xdpct, "replay", "--json", here + "/" + pcap],
                       capture_output=True, text=True, timeout=60)
    flows = [json.loads(l) for l in p.stdout.splitlines()] if p.returncode == 0 else []
    name = pcap[:-5]
    if p.returncode != 0:
        print("not ok - capture_%s # replay failed: %s" % (name, p.stderr.strip()))
        continue
    if len(flows) != len(rows):
        print("not ok - capture_%s_flows # want %d flows, got %d: %s" % (
            name, len(rows), len(flows), [(j["orig_port"], j["state"], j["history"]) for j in flows]))
    for r in rows:
        got = [j for j in flows if str(j["orig_port"]) == r[1]]
        test = "capture_%s_%s" % (name, r[1])
        if len(got) != 1:
            print("not ok - %s # %d flows with originator port %s" % (test, len(got), r[1]))
            continue
        j = got[0]
        exp = dict(zip(keys, r[2:9]))
        exp["anomalies"] = "" if r[9] == "-" else r[9]
        have = {k: str(j[k]) for k in keys}
        have["anomalies"] = ",".join(j["anomalies"])
        bad = ["%s: want %s, got %s" % (k, exp[k], have[k]) for k in exp if exp[k] != have[k]]
        if bad:
            print("not ok - %s # %s (%s)" % (test, "; ".join(bad), r[10]))
        else:
            print("ok - %s # %s" % (test, r[10][:70]))
PY
