import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FeatureStoreReader, FeatureStoreWriter, readSkipped } from '../src/data/feature-store.js';
import { decodeFloat16, encodeFloat16, toFloat16Bits } from '../src/util/float16.js';

const header = { encoder: 'test-encoder', grid: { height: 2, width: 3 }, regions: 6, depth: 4 };
const per = header.regions * header.depth;

function recordValues(seed: number): Float32Array {
  return Float32Array.from({ length: per }, (_, i) => ((seed * 31 + i * 7) % 50) / 8);
}

describe('float16', () => {
  it('round-trips exactly representable values and rounds to nearest even', () => {
    const exact = Float32Array.from([0, -0, 1, -2, 0.5, 6, 65504, 2 ** -24, 1 + 2 ** -10]);
    expect(Array.from(decodeFloat16(encodeFloat16(exact)))).toEqual(Array.from(exact));
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(toFloat16Bits(1e6)).toBe(0x7c00); // overflow → Infinity
    expect(Number.isNaN(decodeFloat16(encodeFloat16(Float32Array.from([NaN])))[0])).toBe(true);
  });

  it('keeps relative error under 2^-11 in the normal range', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => 0.001 + i * 0.00731);
    const back = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) => expect(Math.abs(back[i]! - v) / v).toBeLessThanOrEqual(2 ** -11));
  });
});

describe('feature store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'features-'));
  });

  it('writes, reopens and reads records in any order', async () => {
    const w = await FeatureStoreWriter.open(dir, header);
    for (const k of [0, 1, 2]) await w.append({ key: `img${k}`, width: 100 + k, height: 50 }, recordValues(k));
    await w.skip({ key: 'bad.jpg', reason: 'not a readable image' });
    await w.close();

    const r = await FeatureStoreReader.open(dir);
    expect(r.size).toBe(3);
    expect(r.records[1]).toEqual({ key: 'img1', width: 101, height: 50 });
    const both = await r.read(['img2', 'img0']);
    expect(both.length).toBe(2 * per);
    expect(Array.from(both.subarray(0, per))).toEqual(Array.from(recordValues(2)));
    expect(Array.from(both.subarray(per))).toEqual(Array.from(recordValues(0)));
    await expect(r.read(['nope'])).rejects.toThrow(/no features for "nope"/);
    await r.close();
    expect(await readSkipped(dir)).toEqual([{ key: 'bad.jpg', reason: 'not a readable image' }]);
  });

  it('resumes after a kill between the data write and the index line: nothing lost or doubled', async () => {
    const w = await FeatureStoreWriter.open(dir, header);
    await w.append({ key: 'a', width: 1, height: 1 }, recordValues(1));
    await w.close();
    // Simulate a kill: half a record of data and a torn index line.
    await fs.appendFile(path.join(dir, 'features.f16'), new Uint8Array(per));
    await fs.appendFile(path.join(dir, 'index.jsonl'), '{"key":"b","wid');

    const resumed = await FeatureStoreWriter.open(dir, header);
    expect(resumed.count).toBe(1);
    expect(resumed.has('a')).toBe(true);
    expect(resumed.has('b')).toBe(false);
    await resumed.append({ key: 'b', width: 2, height: 2 }, recordValues(2));
    await resumed.close();

    const r = await FeatureStoreReader.open(dir);
    expect(r.records.map((x) => x.key)).toEqual(['a', 'b']);
    expect((await fs.stat(path.join(dir, 'features.f16'))).size).toBe(2 * per * 2);
    expect(Array.from(await r.read(['b']))).toEqual(Array.from(recordValues(2)));
    await r.close();
  });

  it('refuses to mix features of different encoders and rejects a truncated data file', async () => {
    const w = await FeatureStoreWriter.open(dir, header);
    await w.append({ key: 'a', width: 1, height: 1 }, recordValues(1));
    await w.close();
    await expect(FeatureStoreWriter.open(dir, { ...header, encoder: 'other' })).rejects.toThrow(
      /header\.json: features here come from encoder test-encoder, not other/,
    );
    await fs.truncate(path.join(dir, 'features.f16'), 10);
    await expect(FeatureStoreReader.open(dir)).rejects.toThrow(/features\.f16: truncated: 10 bytes for 1 records/);
  });

  it('a header or index line with wrong fields is one error naming the file and the field', async () => {
    const w = await FeatureStoreWriter.open(dir, header);
    await w.append({ key: 'img0', width: 10, height: 10 }, recordValues(0));
    await w.append({ key: 'img1', width: 10, height: 10 }, recordValues(1));
    await w.close();
    const headerFile = path.join(dir, 'header.json');
    const good = JSON.parse(await fs.readFile(headerFile, 'utf8'));
    for (const [bad, message] of [
      [{ ...good, depth: 'six' }, /header\.json: corrupt feature store header: depth must be an integer/],
      [{ ...good, regions: good.regions + 1 }, /header\.json: corrupt feature store header: \d+ regions for a/],
      [{ ...good, grid: undefined }, /header\.json: corrupt feature store header: grid must be an object/],
    ] as const) {
      await fs.writeFile(headerFile, JSON.stringify(bad));
      await expect(FeatureStoreReader.open(dir)).rejects.toThrow(message);
    }
    await fs.writeFile(headerFile, JSON.stringify(good));
    const index = path.join(dir, 'index.jsonl');
    await fs.writeFile(index, `${JSON.stringify({ key: 'img0', width: 10 })}\n${JSON.stringify({ key: 'img1', width: 10, height: 10 })}\n`);
    await expect(FeatureStoreReader.open(dir)).rejects.toThrow(/index\.jsonl: corrupt index line 1 \(needs key, width, height\)/);
  });

  it('names the folder when there is no store', async () => {
    await expect(FeatureStoreReader.open(dir)).rejects.toThrow(`${path.join(dir, 'header.json')}: no feature store here`);
  });
});
