#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""perfsplit.py - where xdpct's BPF time goes, from `perf script` output.

Reads `perf script` (perf record -g) on stdin. A sample counts if its call
chain passes through one of the programs named on the command line
(xdpct_xdp, xdpct_tc); it is charged to the part of the data path its leaf
function belongs to (the JIT names subprograms bpf_prog_<tag>_<name>; kernel
helpers keep their own names). Prints one line per part: its share of the
programs' samples. Function level only: the guest's cpu-clock samples land
on the instruction after a return too often to trust a line.
"""
import collections
import re
import sys

# (part, pattern on the leaf symbol), first match wins
PARTS = [
    ("established map: LRU hash lookup, insert, delete",
     r"htab|lookup_nulls|bpf_lru|prealloc_lru|jhash|memcmp"),
    ("SYN cache and lifecycle (track_slow)", r"_track_slow[46]$"),
    ("state machine (ct_inspect, ct_commit, ct_account, history)",
     r"_ct_(inspect|commit|account|hist_add|hist_record|letters_bits)_g$"),
    ("SYN accounting (per-victim counts, source sketch)", r"_slow_count$"),
    ("checksum and option copies", r"csum|_syn_wscale_|load_bytes|xdp_pointer|memcpy|ipv4_opts|parse_xdp_frags"),
    ("clock", r"ktime|read_tsc|jiffies|kvm_clock|pvclock"),
    ("events", r"emit_event|ringbuf"),
    ("ISN samples (host_isn)", r"host_isn"),
    ("parse, key, fast path (the program itself)", r"_xdpct_(xdp|tc)$|_parse_skb$"),
]


def leaf_part(sym):
    for name, pat in PARTS:
        if re.search(pat, sym):
            return name
    return "other kernel code called from the programs"


def main():
    roots = sys.argv[1:] or ["xdpct_xdp", "xdpct_tc"]
    parts = collections.Counter()
    total = under = 0
    stack = []

    def flush():
        nonlocal total, under
        if not stack:
            return
        total += 1
        if any(s.endswith("_" + r) for s in stack for r in roots):
            under += 1
            parts[leaf_part(stack[0])] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            stack = []
        elif line[0] in " \t":
            f = line.split()
            if len(f) >= 2:
                stack.append(f[1].split("+")[0])
        else:
            stack = []
    flush()
    if not under:
        print("  no samples in the programs")
        return 1
    print(f"  {under} of {total} samples in the programs")
    for name, n in parts.most_common():
        print(f"  {100.0 * n / under:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
