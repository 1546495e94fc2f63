#!/usr/bin/env python3
"""Medians (and ranges) of runs/onednn/rounds.log: oneDNN on vs off, and per-round on/off ratios."""
import re, statistics, sys
from collections import defaultdict

log = open(sys.argv[1] if len(sys.argv) > 1 else 'runs/onednn/rounds.log').read().splitlines()
vals = defaultdict(lambda: defaultdict(dict))  # metric -> setting -> round -> value
loads, rnd = [], {}
for line in log:
    m = re.match(r'== (on|off) round (\d+) load ([\d.]+)', line)
    if m:
        rnd[m[1]] = int(m[2]); loads.append(float(m[3])); continue
    p = line.split()
    if len(p) < 3 or p[0] not in ('on', 'off'):
        continue
    s, kind, r = p[0], p[1], rnd[p[0]]
    if kind == 'encoder':
        vals['encoder ms/image batch 1'][s][r], vals['encoder ms/image batch 16'][s][r] = float(p[3]), float(p[4])
    elif kind == 'train':
        for name, v in zip(('training step s', 'forward s', 'greedy captions/s', 'beam-3 captions/s'), p[3:7]):
            vals[name][s][r] = float(v)
    elif kind == 'cold':
        vals['cold caption s (shipped model)'][s][r] = float(p[2])
        assert p[3] == 'rc=0', line
rounds = sorted(set(vals['training step s']['on']) & set(vals['training step s']['off']))
print(f'{len(rounds)} rounds alternated (order swapped each round); 1-min load average {min(loads):.2f}-{max(loads):.2f}')
print(f"{'':34}{'on (median, range)':>24}{'off (median, range)':>24}{'off/on':>9}")
for metric, by in vals.items():
    on = [by['on'][r] for r in rounds]; off = [by['off'][r] for r in rounds]
    ratio = statistics.median(b / a for a, b in zip(on, off))
    f = lambda xs: f'{statistics.median(xs):.3g} ({min(xs):.3g}-{max(xs):.3g})'
    print(f'{metric:34}{f(on):>24}{f(off):>24}{ratio:>9.2f}')
