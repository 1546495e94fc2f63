#!/usr/bin/env python3
"""Medians per tree and the after/before ratios from a runs/dispatch-bench log."""
import re, statistics, sys
rows = {}
tree = None
for line in open(sys.argv[1]):
    m = re.match(r'== (before|after) round', line)
    if m:
        tree = m.group(1)
        continue
    m = re.match(r'(tensorflow|wasm)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)', line)
    if m and tree:
        rows.setdefault((tree, m.group(1)), []).append([float(x) for x in m.groups()[1:]])
cols = ['step s', 'fwd s', 'greedy/s', 'beam3/s']
print('backend     metric     before   after   after/before   (medians of', min(len(v) for v in rows.values()), 'rounds)')
for backend in sorted({b for _, b in rows}, reverse=True):
    for i, c in enumerate(cols):
        b = statistics.median(r[i] for r in rows[('before', backend)])
        a = statistics.median(r[i] for r in rows[('after', backend)])
        print(f'{backend:11} {c:9} {b:8.3f} {a:8.3f}   {a / b:6.3f}')
