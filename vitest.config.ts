import { defineConfig } from 'vitest/config';

/**
 * Three tiers (`npm test` runs the first; `.ci/run` runs all three, `npm run test:all`):
 * - unit: in-process, no child process, no ../shared, no browser, no native backend required; the loop
 *   to run while editing, with no build step (≈ 95 s in CI on this 2-core machine);
 * - e2e: what needs a child process (the CLI, training resumed after a kill), the packed package, the
 *   demo in Chromium, the native backend, or the developers' shared data (real weights and datasets);
 * - acceptance: trained-model checks (the shapes grounding set, the shipped Flickr8k model, the README's
 *   training block).
 * A new test file is a unit test unless listed below.
 */
const ACCEPTANCE = ['shapes-grounding', 'flickr8k-checkpoint', 'readme-training'];
const E2E = [
  // child processes: the CLI, npm, a fresh host process
  'cli-caption',
  'cli-encoder-weights',
  'cli-shapes',
  'commands',
  'data-shapes',
  'datasets-end-to-end',
  'demo-server',
  'encoder-cache',
  'library-side-effects',
  'native-check',
  'ship-encoder',
  'tag-guided',
  'train-resume',
  'wasm-threads',
  // the packed package, the browser bundle, the demo in Chromium
  'package',
  'package-types',
  'browser-bundle',
  'demo',
  // the native backend
  'dispatch',
  'fused-kernels',
  'native-parity',
  'golden-captions',
  // the developers' shared data (real weights, datasets, photos)
  'coco-classes-instances',
  'data-formats',
  'encoder',
  'encoder-cell-colour',
  'encoder-files',
  'encoder-npy',
  'encoder-preprocessing',
  'encoder-resnet',
  'encoder-tfhub',
  'image-input',
  'train-carry-encoder',
];
const files = (names: string[]) => names.map((n) => `test/${n}.test.ts`);

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // tfjs keeps one global engine per process: run files in separate forks, one test at a time.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...files(E2E), ...files(ACCEPTANCE)] } },
      // Child processes run the compiled package (bin/caption.js → dist/): the two tiers that spawn them build it first.
      { extends: true, test: { name: 'e2e', include: files(E2E), globalSetup: ['test/global-setup.ts'] } },
      { extends: true, test: { name: 'acceptance', include: files(ACCEPTANCE), globalSetup: ['test/global-setup.ts'] } },
    ],
  },
});
