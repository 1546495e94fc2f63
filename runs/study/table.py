#!/usr/bin/env python3
"""The encoder study's table (markdown) from results/study-*-dev.json, the 6-epoch logs and the encoder bench."""
import json, os, re
rows = [
  ('(a) MobileNet v1 ImageNet, conv_pw_11', 'imagenet', '14×14×512', 'mobilenet_v1_1.0', 'data/features/flickr8k'),
  ('(b) MobileNet v1 ImageNet, conv_pw_12', 'imagenet-pw12', '7×7×1024', 'mobilenet_v1_1.0_pw12', 'data/features/flickr8k-pw12'),
  ('(c) MobileNet v1 COCO detection, Conv2d_11', 'coco', '14×14×512', 'mobilenet_v1_1.0_coco', 'data/features/flickr8k-coco'),
  ('(d) ResNet-50 v2 ImageNet, block 3', 'resnet', '14×14×1024', 'resnet_v2_50', 'data/features/flickr8k-resnet'),
]
bench = {}
cur = None
for line in open('results/bench-encoders-study.txt'):
  m = re.match(r'=== (\S+)', line)
  if m: cur = m.group(1)
  m = re.match(r'(tensorflow|wasm)\s+([\d.]+)\s+([\d.]+)$', line.strip())
  if m and cur: bench[(cur, m.group(1))] = (float(m.group(2)), float(m.group(3)))
print('| encoder | grid × D | dev BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | CIDEr-D | best epoch (of 6) | native ms/img b16 / b1 | WASM ms/img b16 / b1 | feature store |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for label, name, grid, variant, feats in rows:
  f = f'results/study-{name}-dev.json'
  if not os.path.exists(f): continue
  s = json.load(open(f))['results'][0]['scores']
  t = json.load(open(f'checkpoints/study-{name}/training.json'))
  size = os.path.getsize(os.path.join(feats, 'features.f16')) / 1e9
  n = bench.get((variant, 'tensorflow')); w = bench.get((variant, 'wasm'))
  nat = f'{n[1]:.1f} / {n[0]:.1f}' if n else '–'; was = f'{w[1]:.1f} / {w[0]:.1f}' if w else '–'
  print(f"| {label} | {grid} | {100*s['BLEU-1']:.1f} | {100*s['BLEU-2']:.1f} | {100*s['BLEU-3']:.1f} | {100*s['BLEU-4']:.1f} | **{s['CIDEr-D']:.3f}** | {t['bestEpoch']} | {nat} | {was} | {size:.2f} GB |")
print()
print('dev CIDEr-D by epoch (validation during training, greedy, all 1,000 dev photos):')
print()
print('| encoder | ' + ' | '.join(f'ep {e}' for e in range(1, 7)) + ' | s/epoch |')
print('|---|' + '---|' * 7)
for label, name, grid, *_ in rows:
  f = f'runs/study-{name}/metrics.jsonl'
  if not os.path.exists(f): continue
  h = [json.loads(l) for l in open(f)]
  print(f"| {label.split(',')[0]}, {grid} | " + ' | '.join(f"{m['val']['CIDEr-D']:.3f}" for m in h) + f" | {sorted(m['seconds'] for m in h)[len(h)//2]:.0f} |")
