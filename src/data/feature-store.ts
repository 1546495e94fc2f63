/**
 * The feature cache: annotation vectors of many images in one append-only float16 file.
 *
 * A store is a folder:
 *   header.json    — format version, encoder fingerprint, grid, L, D, dtype, where the encoder's weights
 *                    were read from (written once, atomically)
 *   features.f16   — records of L×D float16 values, back to back, in index order
 *   index.jsonl    — one line per record: {"key", "width", "height"} (original photo size)
 *   skipped.jsonl  — images that could not be read, with the reason
 *
 * Crash safety (against a killed process): a record's bytes are appended before its index line, so after a kill the index never
 * names a record that is not fully on disk. Opening for append truncates `features.f16` back to what the
 * index names and drops a torn last index line: no image lost, none done twice.
 * Reading never loads the whole file: records are read with positioned reads on demand.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkShape, shapeProblem } from '../util/json-shape.js';
import { FileInputError } from '../util/user-error.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { decodeFloat16, encodeFloat16 } from '../util/float16.js';

const FEATURE_STORE_FORMAT = 'attend-caption/features';
const FEATURE_STORE_VERSION = 1;

export interface FeatureStoreHeader {
  format: typeof FEATURE_STORE_FORMAT;
  version: number;
  /** Encoder fingerprint id (see src/encoder/fingerprint.ts): features are only valid for it. */
  encoder: string;
  grid: { height: number; width: number };
  /** Regions per image (grid.height × grid.width). */
  regions: number;
  /** Channels per region. */
  depth: number;
  dtype: 'float16';
  /** Where the encoder's weights were read from (a local folder or a URL), so training can carry them. */
  weights?: string;
}

export interface FeatureRecord {
  key: string;
  /** Original photo size, for overlays. */
  width: number;
  height: number;
}

const FILES = {
  header: 'header.json',
  data: 'features.f16',
  index: 'index.jsonl',
  skipped: 'skipped.jsonl',
} as const;

async function readHeader(dir: string): Promise<FeatureStoreHeader> {
  const file = path.join(dir, FILES.header);
  let header: FeatureStoreHeader;
  try {
    header = JSON.parse(await fs.readFile(file, 'utf8')) as FeatureStoreHeader;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT';
    throw new FileInputError(file, missing ? 'no feature store here (header.json missing)' : 'corrupt header (not JSON)');
  }
  if (header?.format !== FEATURE_STORE_FORMAT) throw new FileInputError(file, 'not a feature store header');
  if (header.version !== FEATURE_STORE_VERSION) {
    throw new FileInputError(file, `feature store version ${header.version}, expected ${FEATURE_STORE_VERSION}`);
  }
  checkShape(header, { encoder: 'string', grid: { height: 'int', width: 'int' }, regions: 'int', depth: 'int', dtype: 'string' }, file, 'feature store header');
  if (header.regions !== header.grid.height * header.grid.width || header.depth < 1 || header.dtype !== 'float16') {
    throw new FileInputError(file, `corrupt feature store header: ${header.regions} regions for a ${header.grid.height}×${header.grid.width} grid, depth ${header.depth}, dtype ${header.dtype}`);
  }
  return header;
}

/** Parses index.jsonl; a torn last line (a kill mid-write) is dropped, a bad line elsewhere is corruption. */
async function readIndex(dir: string): Promise<FeatureRecord[]> {
  const file = path.join(dir, FILES.index);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  const records: FeatureRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      // Only the text after the final newline can be torn by a kill.
      if (i === lines.length - 1) break;
      throw new FileInputError(file, `corrupt index line ${i + 1}`);
    }
    if (shapeProblem(record, { key: 'string', width: 'int', height: 'int' })) throw new FileInputError(file, `corrupt index line ${i + 1} (needs key, width, height)`);
    records.push(record as FeatureRecord);
  }
  return records;
}

function recordBytes(header: FeatureStoreHeader): number {
  return header.regions * header.depth * 2;
}

/** Reads records on demand; holds only the index in memory. */
export class FeatureStoreReader {
  private readonly rowOf = new Map<string, number>();

  private constructor(
    readonly dir: string,
    readonly header: FeatureStoreHeader,
    readonly records: readonly FeatureRecord[],
    private readonly handle: fs.FileHandle,
  ) {
    records.forEach((r, i) => this.rowOf.set(r.key, i));
  }

  static async open(dir: string): Promise<FeatureStoreReader> {
    const header = await readHeader(dir);
    const records = await readIndex(dir);
    const dataFile = path.join(dir, FILES.data);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(dataFile, 'r');
    } catch {
      throw new FileInputError(dataFile, 'feature data file missing');
    }
    const { size } = await handle.stat();
    if (size < records.length * recordBytes(header)) {
      await handle.close();
      throw new FileInputError(dataFile, `truncated: ${size} bytes for ${records.length} records`);
    }
    return new FeatureStoreReader(dir, header, records, handle);
  }

  has(key: string): boolean {
    return this.rowOf.has(key);
  }

  get size(): number {
    return this.records.length;
  }

  /** Annotation vectors of the given images as one float32 array `[keys.length, L, D]`. */
  async read(keys: readonly string[]): Promise<Float32Array> {
    const bytes = recordBytes(this.header);
    const per = this.header.regions * this.header.depth;
    const out = new Float32Array(keys.length * per);
    const bits = new Uint16Array(per);
    const buf = new Uint8Array(bits.buffer);
    for (let i = 0; i < keys.length; i++) {
      const row = this.rowOf.get(keys[i]!);
      if (row === undefined) throw new FileInputError(this.dir, `no features for "${keys[i]}"`);
      const { bytesRead } = await this.handle.read(buf, 0, bytes, row * bytes);
      if (bytesRead !== bytes) throw new FileInputError(path.join(this.dir, FILES.data), `short read at record ${row}`);
      decodeFloat16(bits, out.subarray(i * per, (i + 1) * per));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

export interface SkippedImage {
  key: string;
  reason: string;
}

/** Appends records; reopening an existing store resumes it (see the crash-safety note above). */
export class FeatureStoreWriter {
  private constructor(
    readonly dir: string,
    readonly header: FeatureStoreHeader,
    private readonly done: Set<string>,
    private readonly skippedKeys: Set<string>,
    private readonly data: fs.FileHandle,
    private offset: number,
  ) {}

  static async open(dir: string, header: Omit<FeatureStoreHeader, 'format' | 'version' | 'dtype'>): Promise<FeatureStoreWriter> {
    await fs.mkdir(dir, { recursive: true });
    const full: FeatureStoreHeader = { format: FEATURE_STORE_FORMAT, version: FEATURE_STORE_VERSION, dtype: 'float16', ...header };
    let existing: FeatureStoreHeader | undefined;
    try {
      existing = await readHeader(dir);
    } catch (err) {
      if (!(err instanceof FileInputError && err.problem.startsWith('no feature store'))) throw err;
    }
    if (existing) {
      if (existing.encoder !== full.encoder || existing.depth !== full.depth || existing.regions !== full.regions) {
        throw new FileInputError(
          path.join(dir, FILES.header),
          `features here come from encoder ${existing.encoder}, not ${full.encoder}: use another --out folder`,
        );
      }
    } else {
      await writeJsonAtomic(path.join(dir, FILES.header), full);
    }
    const records = await readIndex(dir);
    // Rewrite the index without a torn tail, and cut data bytes no index line names.
    const indexText = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    await fs.writeFile(path.join(dir, FILES.index), indexText);
    const offset = records.length * recordBytes(full);
    const dataFile = path.join(dir, FILES.data);
    await fs.appendFile(dataFile, new Uint8Array(0)); // create if missing
    const data = await fs.open(dataFile, 'r+');
    const { size } = await data.stat();
    if (size < offset) {
      await data.close();
      throw new FileInputError(dataFile, `truncated: ${size} bytes for ${records.length} records`);
    }
    await data.truncate(offset);
    const skipped = await readSkipped(dir);
    return new FeatureStoreWriter(dir, full, new Set(records.map((r) => r.key)), new Set(skipped.map((s) => s.key)), data, offset);
  }

  get count(): number {
    return this.done.size;
  }

  has(key: string): boolean {
    return this.done.has(key);
  }

  wasSkipped(key: string): boolean {
    return this.skippedKeys.has(key);
  }

  /** Appends one image's `[L, D]` vectors; the record counts only once its index line is written. */
  async append(record: FeatureRecord, values: Float32Array): Promise<void> {
    const per = this.header.regions * this.header.depth;
    if (values.length !== per) throw new Error(`feature record has ${values.length} values, expected ${per}`);
    if (this.done.has(record.key)) throw new Error(`duplicate feature key "${record.key}"`);
    const bits = encodeFloat16(values);
    await this.data.write(new Uint8Array(bits.buffer), 0, bits.byteLength, this.offset);
    this.offset += bits.byteLength;
    await fs.appendFile(path.join(this.dir, FILES.index), `${JSON.stringify(record)}\n`);
    this.done.add(record.key);
  }

  async skip(entry: SkippedImage): Promise<void> {
    if (this.skippedKeys.has(entry.key)) return;
    await fs.appendFile(path.join(this.dir, FILES.skipped), `${JSON.stringify(entry)}\n`);
    this.skippedKeys.add(entry.key);
  }

  async close(): Promise<void> {
    await this.data.close();
  }
}

export async function readSkipped(dir: string): Promise<SkippedImage[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, FILES.skipped), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as SkippedImage];
      } catch {
        return [];
      }
    });
}
