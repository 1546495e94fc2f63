"""Medians of runs/wasm-bench/run.sh's rounds: step seconds per configuration and the ratios."""
import re
import statistics
import sys

steps: dict[str, list[float]] = {}
rounds: list[dict[str, float]] = []
load: list[str] = []
for line in open(sys.argv[1] if len(sys.argv) > 1 else 'runs/wasm-bench/rounds.log'):
    m = re.match(r'== \S+ round (\d+), load (\S+)', line)
    if m:
        r = int(m.group(1))
        while len(rounds) < r:
            rounds.append({})
            load.append(m.group(2))
        continue
    parts = line.split()
    if len(parts) >= 2 and rounds:
        rounds[-1][parts[0]] = float(parts[1])
        steps.setdefault(parts[0], []).append(float(parts[1]))

names = ['native', 'wasm-before', 'wasm-1thread', 'wasm']
print('round\tload\t' + '\t'.join(f'{n} s' for n in names) + '\twasm/native\twasm-before/native\twasm-before/wasm')
ratios: dict[str, list[float]] = {'wasm/native': [], 'wasm-before/native': [], 'wasm-before/wasm': [], 'wasm-1thread/wasm': []}
for i, r in enumerate(rounds):
    if not all(n in r for n in names):
        continue
    ratios['wasm/native'].append(r['wasm'] / r['native'])
    ratios['wasm-before/native'].append(r['wasm-before'] / r['native'])
    ratios['wasm-before/wasm'].append(r['wasm-before'] / r['wasm'])
    ratios['wasm-1thread/wasm'].append(r['wasm-1thread'] / r['wasm'])
    print(f'{i + 1}\t{load[i]}\t' + '\t'.join(f'{r[n]:.3f}' for n in names) + f"\t{ratios['wasm/native'][-1]:.2f}\t{ratios['wasm-before/native'][-1]:.2f}\t{ratios['wasm-before/wasm'][-1]:.2f}")
print('median\t\t' + '\t'.join(f'{statistics.median(steps[n]):.3f}' for n in names) + '\t' + '\t'.join(f'{statistics.median(v):.2f}' for k, v in ratios.items() if k != 'wasm-1thread/wasm'))
print(f"threads' share: wasm-1thread/wasm = {statistics.median(ratios['wasm-1thread/wasm']):.2f} (median of rounds)")
