#!/usr/bin/env python3
"""Issue 11's table: hard vs soft attention (same cross-entropy budget) from the results JSON files.
Usage: runs/hard/compare.py dev|test  (prints Markdown; the chosen decoding of each model, then greedy)."""
import json, statistics, sys

split = sys.argv[1]
MODELS = [('soft', 'checkpoints/hard-soft-baseline', 'runs/default-xe'), ('hard', 'checkpoints/hard-xe-lambda0', 'runs/hard-xe-lambda0')]
PAPER = [('Xu et al. 2015, soft (VGG, Flickr8k test)', [67, 44.8, 29.9, 19.5]), ('Xu et al. 2015, hard (VGG, Flickr8k test)', [67, 45.7, 31.4, 21.3])]


def chosen(ckpt):
    d = json.load(open(f'{ckpt}/decoding.json'))
    return d['beamSize'], d['lengthPenalty'], d.get('context', 'expected')


def epoch_seconds(run):
    lines = [json.loads(l) for l in open(f'{run}/metrics.jsonl')]
    return statistics.median(l['seconds'] for l in lines), len(lines)


def row(name, r, seconds):
    s, e = r['scores'], r['attention']['entropy']
    setting = 'greedy' if r['beamSize'] == 1 else f"beam {r['beamSize']}, lp {r['lengthPenalty']:g}"
    cells = [f"{name} ({setting}, {r['context']})"] + [f"{100 * s[f'BLEU-{n}']:.1f}" for n in range(1, 5)]
    cells += [f"{s['CIDEr-D']:.3f}", f"{e['noun']['mean']:.2f}", f"{e['function']['mean']:.2f}", seconds]
    return '| ' + ' | '.join(cells) + ' |'


print('| model | BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | CIDEr-D | α entropy, nouns | α entropy, function words | s per epoch (median, epochs) |')
print('|---|---|---|---|---|---|---|---|---|')
for name, ckpt, run in MODELS:
    results = json.load(open(f'results/hard-{name}-{split}.json'))['results']
    beam, lp, context = chosen(ckpt)
    sec, n = epoch_seconds(run)
    pick = [r for r in results if r['beamSize'] == beam and r['lengthPenalty'] == lp and r['context'] == context]
    greedy = [r for r in results if r['beamSize'] == 1 and r['context'] == context]
    for r in pick + [g for g in greedy if g not in pick]:
        print(row(name, r, f'{sec:.0f} ({n})'))
for name, bleu in PAPER:
    print('| ' + ' | '.join([name] + [f'{b:g}' for b in bleu] + ['–', '–', '–', '–']) + ' |')
