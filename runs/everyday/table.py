#!/usr/bin/env python3
"""Markdown tables from results/everyday/<name>-val-<set>.json (npm run evaluate --out): per setting,
CIDEr-D, BLEU-4, main object named, object P/R/F1, constraints tried/kept.
Usage: python3 runs/everyday/table.py NAME [NAME...]"""
import json, sys

for name in sys.argv[1:]:
    for s in ('coco1k', 'flickr8k'):
        try:
            d = json.load(open(f'results/everyday/{name}-val-{s}.json'))
        except FileNotFoundError:
            continue
        print(f'\n{name} on {s} val ({d["images"]} photos)\n')
        print('| setting | CIDEr-D | BLEU-4 | main object named | object P / R / F1 | constraints tried / kept |')
        print('|---|---|---|---|---|---|')
        for r in d['results']:
            t = r.get('tags')
            setting = f'beam {r["beamSize"]}, lp {r["lengthPenalty"]}' + (f', tags ≥ {t["threshold"]} margin {t["margin"]}' if t else ', plain')
            o = r['objects']
            print(f'| {setting} | {r["scores"]["CIDEr-D"]:.3f} | {100 * r["scores"]["BLEU-4"] if r["scores"]["BLEU-4"] <= 1 else r["scores"]["BLEU-4"]:.1f} | {o["mainObjectHits"]}/{o["mainObjectImages"]} ({100*o["mainObjectNamed"]:.0f} %) | '
                  f'{o["precision"]:.2f} / {o["recall"]:.2f} / {o["f1"]:.3f} | ' + (f'{t["tried"]} / {t["kept"]}' if t else '-') + ' |')
