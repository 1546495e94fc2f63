/**
 * The in-browser demo (demo/index.html): loads the shipped model from static files beside the page,
 * captions a chosen, dropped or sample photo, and paints the hovered or focused word's attention.
 * `?backend=wasm` (or webgl, cpu) forces a backend; by default WebGL, else WASM.
 */
import { peakOverUniform } from '../overlay/display.js';
import { loadCaptioner, type BrowserBackend, type BrowserCaptioner, type CaptionResult } from '../api/browser.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('canvas');
const status = $('status');
const captionEl = $('caption');
const wordInfo = $('word-info');
const timing = $('timing');
const SAMPLES = ['astronaut.png', 'chelsea.png', 'horse.png', 'motorcycle_left.png'];
const MAX_SIDE = 448;

let captioner: BrowserCaptioner | undefined;
let current: { photo: ImageBitmap; result: CaptionResult } | undefined;
let busy = false;

function fitCanvas(photo: ImageBitmap): void {
  const scale = Math.min(1, MAX_SIDE / Math.max(photo.width, photo.height));
  canvas.width = Math.max(1, Math.round(photo.width * scale));
  canvas.height = Math.max(1, Math.round(photo.height * scale));
}

function drawPhoto(photo: ImageBitmap): void {
  canvas.getContext('2d')!.drawImage(photo, 0, 0, canvas.width, canvas.height);
}

function showWord(index: number | undefined): void {
  if (!current || !captioner) return;
  for (const b of captionEl.querySelectorAll('button')) b.setAttribute('aria-pressed', String(Number(b.dataset['index']) === index));
  if (index === undefined) {
    drawPhoto(current.photo);
    wordInfo.textContent = '';
    return;
  }
  const w = current.result.words[index]!;
  captioner.paint(canvas, current.photo, current.result, { word: index });
  wordInfo.textContent = `“${w.word}”: β = ${w.beta.toFixed(2)}, peak ${peakOverUniform(w.alpha).toFixed(1)}× uniform, p = ${Math.exp(w.logProb).toFixed(2)}`;
}

function showCaption(result: CaptionResult): void {
  captionEl.replaceChildren(
    ...result.words.map((w, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = w.word;
      b.dataset['index'] = String(i);
      b.setAttribute('data-testid', 'word');
      b.setAttribute('aria-pressed', 'false');
      b.title = `β = ${w.beta.toFixed(2)}`;
      for (const on of ['mouseenter', 'focus']) b.addEventListener(on, () => showWord(i));
      for (const off of ['mouseleave', 'blur']) b.addEventListener(off, () => showWord(undefined));
      return b;
    }),
  );
  captionEl.dataset['text'] = result.text;
}

/** A photo chosen while the model loads or another photo is being captioned: the latest one waits here. */
let pending: { blob: Blob; name: string } | undefined;

async function captionPhoto(blob: Blob, name: string): Promise<void> {
  if (!captioner || busy) {
    pending = { blob, name };
    status.textContent = captioner ? `${name} is next` : `loading the model… ${name} will be captioned when it is ready`;
    return;
  }
  busy = true;
  try {
    status.textContent = `captioning ${name}…`;
    const photo = await createImageBitmap(blob);
    fitCanvas(photo);
    drawPhoto(photo);
    const t0 = performance.now();
    const [result] = await captioner.caption([photo]);
    const ms = performance.now() - t0;
    current = { photo, result: result! };
    showCaption(result!);
    status.textContent = name;
    timing.textContent = `${captioner.info.backend}: ${ms.toFixed(0)} ms to caption`;
    timing.dataset['ms'] = String(Math.round(ms));
  } catch (err) {
    showError(`${name}: ${String((err as Error).message ?? err)}`);
  } finally {
    busy = false;
  }
  const next = pending;
  pending = undefined;
  if (next) await captionPhoto(next.blob, next.name);
}

/** Errors go on the page (the status line), not only to the console. */
function showError(text: string): void {
  status.textContent = text;
  status.dataset['error'] = 'true';
}

function wireInputs(): void {
  $('explain-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void explainText($<HTMLInputElement>('explain-text').value);
  });
  $<HTMLInputElement>('photo-input').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void captionPhoto(file, file.name);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) void captionPhoto(file, file.name);
  });
  $('samples').replaceChildren(
    ...SAMPLES.map((name) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.title = name;
      b.setAttribute('data-testid', 'sample');
      const img = document.createElement('img');
      img.src = `samples/${name}`;
      img.alt = name;
      b.append(img);
      b.addEventListener('click', () => {
        fetch(`samples/${name}`)
          .then(async (r) => (r.ok ? captionPhoto(await r.blob(), name) : showError(`${name}: HTTP ${r.status}`)))
          .catch((err: unknown) => showError(`${name}: ${String((err as Error).message ?? err)}`));
      });
      return b;
    }),
  );
}

/** Teacher-forced: the given caption's words, with where the model would look for each, on the current photo. */
async function explainText(text: string): Promise<void> {
  if (!captioner || !current || busy || text.trim() === '') return;
  busy = true;
  try {
    const [e] = await captioner.explain(current.photo, text);
    const result: CaptionResult = {
      text: e!.text,
      words: e!.words.map(({ word, alpha, beta, logProb }) => ({ word, alpha, beta, logProb })),
      grid: e!.grid,
      finished: true,
      logProb: e!.logLikelihood,
    };
    current = { photo: current.photo, result };
    showCaption(result);
    const unknown = e!.outOfVocabulary.length ? `; not in the vocabulary: ${e!.outOfVocabulary.join(', ')}` : '';
    timing.textContent = `your caption: log-likelihood ${e!.logLikelihood.toFixed(2)}${unknown}`;
    timing.dataset['logLikelihood'] = e!.logLikelihood.toFixed(4);
  } catch (err) {
    showError(String((err as Error).message ?? err));
  } finally {
    busy = false;
  }
}

async function start(): Promise<void> {
  wireInputs();
  const requested = (new URLSearchParams(location.search).get('backend') ?? 'auto') as BrowserBackend | 'auto';
  const t0 = performance.now();
  try {
    captioner = await loadCaptioner({ checkpoint: 'model/', backend: requested, wasmPath: 'wasm/' });
  } catch (err) {
    showError(`cannot load the model: ${String((err as Error).message ?? err)}`);
    return;
  }
  $('model').textContent =
    `${captioner.info.checkpoint} (encoder ${captioner.info.encoder.split('/')[0]}), beam ${captioner.info.beamSize}`;
  status.textContent = `ready (${captioner.info.backend}, model loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s): choose a photo`;
  status.dataset['ready'] = captioner.info.backend;
  const next = pending;
  pending = undefined;
  if (next) await captionPhoto(next.blob, next.name);
}

window.addEventListener('error', (e) => showError(String(e.message)));
window.addEventListener('unhandledrejection', (e) => showError(String((e.reason as Error)?.message ?? e.reason)));
void start();
