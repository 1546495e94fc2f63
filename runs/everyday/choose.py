#!/usr/bin/env python3
"""Issue 21 §5: choose the new model's decoding defaults on BOTH val splits and write decoding.json.
Rule: among the settings evaluated by after-scst.sh, those whose CIDEr-D averaged over the 1,106 val photos
(106 COCO-1k + 1,000 Flickr8k) is within 0.001 of the best; of these, the one naming the most COCO-1k main
objects; ties go to the smaller beam. Usage: python3 runs/everyday/choose.py [--dry-run] CHECKPOINT NAME [NAME...]
(several NAMEs: their results pooled as one grid; --dry-run prints the choice without writing decoding.json)"""
import json, sys
args = [a for a in sys.argv[1:] if a != '--dry-run']
dry = '--dry-run' in sys.argv
ckpt, names = args[0], args[1:]
rows = {}
for s in ['coco1k', 'flickr8k']:
  for name in names:
    d = json.load(open(f'results/everyday/{name}-val-{s}.json'))
    for r in d['results']:
        t = r.get('tags')
        k = (r['beamSize'], r['lengthPenalty'], r['context'], t['threshold'] if t else None, t['margin'] if t else None)
        rows.setdefault(k, {})[s] = (r['scores']['CIDEr-D'], r['objects']['mainObjectNamed'], len(d['images']) if isinstance(d['images'], list) else d['images'])
cands = []
for k, v in rows.items():
    (cc, cm, cn), (fc, fm, fn) = v['coco1k'], v['flickr8k']
    cands.append({'beamSize': k[0], 'lengthPenalty': k[1], 'context': k[2], **({'tags': {'threshold': k[3], 'margin': k[4]}} if k[3] is not None else {}),
                  'score': (cc * cn + fc * fn) / (cn + fn), 'cocoMainObjectNamed': cm, 'cocoCIDEr-D': cc, 'flickr8kCIDEr-D': fc})
best = max(c['score'] for c in cands)
near = [c for c in cands if c['score'] >= best - 0.001]
pick = sorted(near, key=lambda c: (-c['cocoMainObjectNamed'], c['beamSize']))[0]
out = {'beamSize': pick['beamSize'], 'lengthPenalty': pick['lengthPenalty'], 'context': pick['context'], **({'tags': pick['tags']} if 'tags' in pick else {}),
       'chosenBy': {'metric': 'CIDEr-D', 'split': 'val (COCO-1k + Flickr8k)', 'images': 1106, 'score': pick['score'], 'within': 0.001, 'bestScore': best,
                    'rule': 'within 0.001 of the best CIDEr-D over both val splits, then the most COCO-1k main objects named, then the smaller beam',
                    'candidates': cands}}
if not dry:
    json.dump(out, open(f'{ckpt}/decoding.json', 'w'), indent=2); open(f'{ckpt}/decoding.json', 'a').write('\n')
for c in sorted(cands, key=lambda c: -c['score'])[:8]:
    print('  %.4f  COCO main %.3f  COCO %.3f  Flickr8k %.3f  beam %d lp %s tags %s' % (c['score'], c['cocoMainObjectNamed'], c['cocoCIDEr-D'], c['flickr8kCIDEr-D'], c['beamSize'], c['lengthPenalty'], c.get('tags')))
print('chose', {k: out[k] for k in out if k != 'chosenBy'}, 'score %.4f (best %.4f)' % (pick['score'], best))
