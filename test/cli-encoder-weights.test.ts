/**
 * One name for any encoder's weights: `--encoder-weights` (old name `--mobilenet`) and
 * $CAPTION_ENCODER_WEIGHTS (old $CAPTION_MOBILENET) are read alike; a bad one is one line naming it.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptionCli } from './cli-helpers.js';

const PHOTO = path.resolve('docs', 'examples', 'photos', 'horse.png');
const SHIPPED = path.resolve('checkpoints', 'flickr8k', 'encoder');

describe('--encoder-weights and its old name', () => {
  it('the flag, its alias and both env vars give the same caption; a bad folder is one line', () => {
    const base = runCaptionCli([PHOTO, '-q']);
    expect(base.code, base.stderr).toBe(0);
    for (const [args, env] of [
      [['--encoder-weights', SHIPPED], {}],
      [['--mobilenet', SHIPPED], {}],
      [[], { CAPTION_ENCODER_WEIGHTS: SHIPPED }],
      [[], { CAPTION_MOBILENET: SHIPPED }],
    ] as const) {
      const r = runCaptionCli([PHOTO, '-q', ...args], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(base.stdout);
    }
    const bad = runCaptionCli([PHOTO, '-q'], { CAPTION_ENCODER_WEIGHTS: '/no/such/weights' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^caption: \/no\/such\/weights\/model\.json: no such file/)]);
  }, 120_000);
});
