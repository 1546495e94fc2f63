/**
 * The import rules of src/ (`npm run lint:deps`, run by .ci/run): no cycles, type-only imports
 * included; each folder imports only the folders below it in the pipeline (README, "The pipeline");
 * the library never imports the tests, scripts or runs; the browser entry never reaches Node.
 */
// Bottom to top. A folder may import its own files and any folder listed before it.
const LAYERS = [
  'util',
  'fast-paths',
  'backend',
  'image',
  'encoder',
  'data',
  'decoder',
  'checkpoint',
  'tagger',
  'search',
  'model',
  'overlay',
  'eval',
  'train',
  'api',
  'demo',
  'cli',
];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ sits below ${LAYERS.slice(i + 1).join(', ')} in the pipeline: it must not import them`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle (type-only imports count) makes the load order and the layering unreadable',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'src-stays-inside',
      comment: 'the library is src/ alone: it never imports the tests, the scripts or the runs',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|runs)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'browser-entry-without-node',
      comment: 'the browser build (src/api/browser.ts, the demo) must not reach Node built-ins, sharp or tfjs-node',
      severity: 'error',
      from: { path: '^src/(api/browser\\.ts|demo/main\\.ts)$' },
      to: {
        reachable: true,
        path: '(^node:|^(assert|buffer|child_process|crypto|events|fs|fs/promises|http|https|module|net|os|path|perf_hooks|process|readline|stream|url|util|worker_threads|zlib)$|node_modules/(sharp|@tensorflow/tfjs-node)/)',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
