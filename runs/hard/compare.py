#!/usr/bin/env python3
"""Issue 11's table: hard against soft attention at the same cross-entropy budget, from the results files.
Usage: runs/hard/compare.py  (prints Markdown: dev rows, then the test rows)."""
import json, statistics

PAPER = [('Xu et al. 2015, soft (VGG), test', [67, 44.8, 29.9, 19.5]), ('Xu et al. 2015, hard (VGG), test', [67, 45.7, 31.4, 21.3])]


def epoch_seconds(run):
    # The machine is shared: the median moves with what else ran; the fastest epoch is the closest to its own cost.
    secs = [json.loads(l)['seconds'] for l in open(f'{run}/metrics.jsonl')]
    return f"{statistics.median(secs):.0f}, fastest {min(secs):.0f} ({len(secs)} epochs)"


def row(name, r, seconds):
    s, e = r['scores'], r['attention']['entropy']
    setting = 'greedy' if r['beamSize'] == 1 else f"beam {r['beamSize']}, lp {r['lengthPenalty']:g}"
    cells = [f"{name} ({setting}, {r['context']} context)"] + [f"{100 * s[f'BLEU-{n}']:.1f}" for n in range(1, 5)]
    cells += [f"{s['CIDEr-D']:.3f}", f"{e['noun']['mean']:.2f}", f"{e['function']['mean']:.2f}", seconds]
    return '| ' + ' | '.join(cells) + ' |'


def rows(file, name, seconds, keep):
    return [row(name, r, seconds) for r in json.load(open(file))['results'] if keep(r)]


chosen = json.load(open('checkpoints/hard-xe-lambda0/decoding.json'))
is_chosen = lambda r: (r['beamSize'], r['lengthPenalty'], r['context']) == (chosen['beamSize'], chosen['lengthPenalty'], chosen['context'])
soft_s, hard_s = epoch_seconds('runs/default-xe'), epoch_seconds('runs/hard-xe-lambda0')
print('| model (split) | BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | CIDEr-D | α entropy, nouns | α entropy, function words | s per epoch: median, fastest |')
print('|---|---|---|---|---|---|---|---|---|')
out = rows('results/default-xe-dev.json', 'soft, dev', soft_s, lambda r: True)
out += rows('results/hard-dev.json', 'hard, dev', hard_s, lambda r: (r['beamSize'] in (1, 3) and r['lengthPenalty'] == 0 and r['context'] == 'expected') or is_chosen(r))
out += rows('results/soft-xe-test.json', 'soft, test', soft_s, lambda r: True)
out += rows('results/hard-test.json', 'hard, test', hard_s, lambda r: True)
out += rows('results/flickr8k-test.json', 'soft + SCST (the default model), test', '–', lambda r: True)
print('\n'.join(out))
for name, bleu in PAPER:
    print('| ' + ' | '.join([name] + [f'{b:g}' for b in bleu] + ['–', '–', '–', '–']) + ' |')
