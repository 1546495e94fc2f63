/**
 * Image input spec: every format we accept decodes to the right size and colours, EXIF orientation and
 * colourspaces are honoured, the resize policy's region is right, and every bad input is a one-line
 * ImageInputError naming the file and the problem. Fixtures are made with sharp in a temp dir.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageInputError } from '../src/image/errors.js';
import { DEFAULT_IMAGE_OPTIONS, encoderRegion, MIN_SIDE, prepareImage, readRgb } from '../src/image/load.js';
import { UserError } from '../src/util/user-error.js';
import { describeWithShared, sharedPath } from './shared.js';

type Rgb = readonly [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE: Rgb = [255, 255, 255];

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'image-input-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, data: Uint8Array | string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, data);
  return file;
}

/** A width×height RGB image whose pixel colour is `colourAt(x, y)`. */
function painted(width: number, height: number, colourAt: (x: number, y: number) => Rgb): Sharp {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colourAt(x, y), 3 * (y * width + x));
  return sharp(data, { raw: { width, height, channels: 3 } });
}

const solid = (colour: Rgb, width = 300, height = 200): Sharp => painted(width, height, () => colour);

function pixelAt(pixels: Uint8Array, width: number, x: number, y: number): Rgb {
  const i = 3 * (y * width + x);
  return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
}

/** The largest difference of any channel of any pixel from `colour`. */
function maxDeviation(pixels: Uint8Array, colour: Rgb): number {
  let worst = 0;
  for (let i = 0; i < pixels.length; i++) worst = Math.max(worst, Math.abs(pixels[i]! - colour[i % 3]!));
  return worst;
}

function expectNear(actual: Rgb, expected: Rgb, tolerance: number): void {
  for (let c = 0; c < 3; c++) expect(Math.abs(actual[c]! - expected[c]!), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

// --- hand-made files sharp cannot write ---

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A tiny PNG whose IHDR declares width×height 8-bit RGB, with a token IDAT: a decompression bomb's header. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An uncompressed little-endian 16-bit RGB TIFF (sharp writes TIFF at 8 bits only). */
function tiff16(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const entries: Array<[tag: number, type: number, value: number]> = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 134],
    [259, 3, 1],
    [262, 3, 2],
    [273, 4, 140],
    [277, 3, 3],
    [278, 4, height],
    [279, 4, width * height * 6],
    [284, 3, 1],
  ];
  const out = Buffer.alloc(140 + width * height * 6);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4); // first IFD
  out.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + 12 * i;
    out.writeUInt16LE(tag, at);
    out.writeUInt16LE(type, at + 2);
    out.writeUInt32LE(tag === 258 ? 3 : 1, at + 4); // BitsPerSample has 3 values, stored at offset 134
    if (type === 3 && tag !== 258) out.writeUInt16LE(value, at + 8);
    else out.writeUInt32LE(value, at + 8);
  });
  [16, 16, 16].forEach((bits, i) => out.writeUInt16LE(bits, 134 + 2 * i)); // IFD ends at 10 + 120 + 4 = 134
  for (let p = 0; p < width * height; p++) rgb.forEach((v, c) => out.writeUInt16LE(v, 140 + 6 * p + 2 * c));
  return out;
}

async function avifSupport(): Promise<string | undefined> {
  if (!sharp.format.heif.output.file) return 'this sharp build has no HEIF/AVIF encoder';
  try {
    await solid(RED, 16, 16).avif().toBuffer();
    return undefined;
  } catch (err) {
    return `this sharp build cannot encode AVIF (${(err as Error).message.split('\n')[0]})`;
  }
}
const avifMissing = await avifSupport();

describe('formats decode to the right size and colours', () => {
  const cases: Array<{ name: string; ext: string; encode: (s: Sharp) => Sharp; tolerance: number; skip?: string }> = [
    { name: 'JPEG', ext: 'jpg', encode: (s) => s.jpeg({ quality: 90 }), tolerance: 8 },
    { name: 'PNG', ext: 'png', encode: (s) => s.png(), tolerance: 0 },
    { name: 'WebP', ext: 'webp', encode: (s) => s.webp({ quality: 90 }), tolerance: 8 },
    { name: 'GIF', ext: 'gif', encode: (s) => s.gif(), tolerance: 0 },
    // sharp's tiff() defaults to JPEG compression (lossy): ask for LZW.
    { name: 'TIFF', ext: 'tif', encode: (s) => s.tiff({ compression: 'lzw' }), tolerance: 0 },
    { name: 'AVIF', ext: 'avif', encode: (s) => s.avif({ quality: 80 }), tolerance: 8, skip: avifMissing },
  ];
  for (const { name, ext, encode, tolerance, skip } of cases) {
    it.skipIf(skip !== undefined)(`${name}: solid red 300×200 → 224×224 red${skip ? ` [skipped: ${skip}]` : ''}`, async () => {
      const file = await write(`red.${ext}`, await encode(solid(RED)).toBuffer());
      const image = await prepareImage(file);
      expect(image).toMatchObject({ file, originalWidth: 300, originalHeight: 200, size: 224 });
      expect(image.region).toEqual({ left: 0, top: 0, width: 300, height: 200 });
      expect(image.pixels.length).toBe(224 * 224 * 3);
      expect(maxDeviation(image.pixels, RED)).toBeLessThanOrEqual(tolerance);
    });
  }

  it('animated GIF: the first frame (red), not the second (blue)', async () => {
    const frames = painted(40, 60, (_x, y) => (y < 30 ? RED : BLUE));
    const gif = await sharp(await frames.raw().toBuffer(), { raw: { width: 40, height: 60, channels: 3, pageHeight: 30 } })
      .gif()
      .toBuffer();
    const file = await write('anim.gif', gif);
    expect((await sharp(file).metadata()).pages).toBe(2);
    const image = await prepareImage(file);
    expect([image.originalWidth, image.originalHeight]).toEqual([40, 30]);
    expect(maxDeviation(image.pixels, RED)).toBe(0);
  });

  it('grayscale PNG → three equal channels', async () => {
    const file = await write('grey.png', await solid([100, 100, 100]).toColourspace('b-w').png().toBuffer());
    expect((await sharp(file).metadata()).channels).toBe(1);
    const { pixels } = await prepareImage(file);
    expect(maxDeviation(pixels, [100, 100, 100])).toBeLessThanOrEqual(1);
  });

  it('CMYK JPEG → sRGB, approximately the right colour', async () => {
    const file = await write('cmyk.jpg', await solid(RED).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer());
    expect((await sharp(file).metadata()).space).toBe('cmyk');
    const { pixels } = await prepareImage(file);
    // sRGB red is outside the CMYK gamut: it comes back as a slightly darker red (≈ 232, 0, 0).
    expectNear(pixelAt(pixels, 224, 112, 112), [235, 0, 0], 30);
  });

  it('RGBA PNG: transparent pixels become white, opaque ones keep their colour', async () => {
    const width = 64;
    const rgba = Buffer.alloc(width * 32 * 4);
    for (let p = 0; p < width * 32; p++) rgba.set(p % width < 32 ? [0, 0, 255, 255] : [0, 0, 0, 0], 4 * p);
    const file = await write(
      'alpha.png',
      await sharp(rgba, { raw: { width, height: 32, channels: 4 } })
        .png()
        .toBuffer(),
    );
    const rgb = await readRgb(file);
    expect(pixelAt(rgb.pixels, width, 5, 5)).toEqual(BLUE);
    expect(pixelAt(rgb.pixels, width, 60, 5)).toEqual(WHITE);
  });

  it('16-bit PNG → the high byte of each sample, not wrapped or clipped', async () => {
    const raw = new Uint16Array(64 * 32 * 3);
    for (let p = 0; p < 64 * 32; p++) raw.set([65535, 0x8080, 0x1234], 3 * p);
    const png = await sharp(raw, { raw: { width: 64, height: 32, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const file = await write('deep.png', png);
    expect((await sharp(file).metadata()).depth).toBe('ushort');
    expect(maxDeviation((await readRgb(file)).pixels, [255, 128, 18])).toBeLessThanOrEqual(1);
    expect(maxDeviation((await prepareImage(file)).pixels, [255, 128, 18])).toBeLessThanOrEqual(1);
  });

  it('16-bit RGBA PNG: transparency flattens onto white (background scaled to 16 bits)', async () => {
    const raw = new Uint16Array(32 * 32 * 4);
    for (let p = 0; p < 32 * 32; p++) raw.set([0, 0, 0, 0], 4 * p);
    const file = await write(
      'deep-alpha.png',
      await sharp(raw, { raw: { width: 32, height: 32, channels: 4 } })
        .toColourspace('rgb16')
        .png()
        .toBuffer(),
    );
    expect(maxDeviation((await readRgb(file)).pixels, WHITE)).toBe(0);
  });

  it('16-bit TIFF → correct 8-bit values', async () => {
    const file = await write('deep.tif', tiff16(32, 24, [0x1234, 0x8080, 65535]));
    const meta = await sharp(file).metadata();
    expect([meta.format, meta.depth, meta.width, meta.height]).toEqual(['tiff', 'ushort', 32, 24]);
    expect(maxDeviation((await readRgb(file)).pixels, [18, 128, 255])).toBeLessThanOrEqual(1);
  });
});

describe('EXIF orientation', () => {
  // Stored 300×200: left half red, right half blue. Where that red half ends up once displayed:
  const table: Array<{ orientation: number; width: number; height: number; red: 'left' | 'right' | 'top' | 'bottom' }> = [
    { orientation: 1, width: 300, height: 200, red: 'left' },
    { orientation: 3, width: 300, height: 200, red: 'right' }, // 180°
    { orientation: 6, width: 200, height: 300, red: 'top' }, // 90° clockwise
    { orientation: 8, width: 200, height: 300, red: 'bottom' }, // 90° anticlockwise
  ];
  const halves = () => painted(300, 200, (x) => (x < 150 ? RED : BLUE));

  for (const { orientation, width, height, red } of table) {
    it(`orientation ${orientation}: ${width}×${height}, red half on the ${red}`, async () => {
      const jpeg = await halves().jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer();
      const file = await write(`orient-${orientation}.jpg`, jpeg);
      expect((await sharp(file).metadata()).orientation).toBe(orientation);
      const image = await prepareImage(file);
      expect([image.originalWidth, image.originalHeight]).toEqual([width, height]);
      expect(image.region).toEqual({ left: 0, top: 0, width, height });
      const far: Record<typeof red, [number, number]> = { left: [20, 112], right: [204, 112], top: [112, 20], bottom: [112, 204] };
      const opposite = { left: 'right', right: 'left', top: 'bottom', bottom: 'top' } as const;
      expectNear(pixelAt(image.pixels, 224, ...far[red]), RED, 12);
      expectNear(pixelAt(image.pixels, 224, ...far[opposite[red]]), BLUE, 12);
    });
  }

  it('readRgb returns the original-size, oriented pixels', async () => {
    const file = await write('orient-6-rgb.jpg', await halves().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
    const rgb = await readRgb(file);
    expect([rgb.width, rgb.height, rgb.pixels.length]).toEqual([200, 300, 200 * 300 * 3]);
    expectNear(pixelAt(rgb.pixels, 200, 100, 10), RED, 12);
    expectNear(pixelAt(rgb.pixels, 200, 100, 290), BLUE, 12);
  });
});

describe('resize policy', () => {
  // 300×200: a 50 px red band on the left, 200 px green, a 50 px blue band on the right.
  const banded = () => painted(300, 200, (x) => (x < 50 ? RED : x < 250 ? GREEN : BLUE));

  it('encoderRegion: squash is the whole photo, center-crop the central square', () => {
    expect(encoderRegion('squash', 300, 200)).toEqual({ left: 0, top: 0, width: 300, height: 200 });
    expect(encoderRegion('center-crop', 300, 200)).toEqual({ left: 50, top: 0, width: 200, height: 200 });
    expect(encoderRegion('center-crop', 200, 300)).toEqual({ left: 0, top: 50, width: 200, height: 200 });
    expect(encoderRegion('center-crop', 301, 200)).toEqual({ left: 50, top: 0, width: 200, height: 200 });
    expect(encoderRegion('center-crop', 64, 64)).toEqual({ left: 0, top: 0, width: 64, height: 64 });
  });

  it('squash (the default) keeps the whole photo: both bands survive at the edges', async () => {
    expect(DEFAULT_IMAGE_OPTIONS.policy).toBe('squash');
    const file = await write('banded.png', await banded().png().toBuffer());
    const image = await prepareImage(file);
    expect(image.region).toEqual({ left: 0, top: 0, width: 300, height: 200 });
    expectNear(pixelAt(image.pixels, 224, 5, 112), RED, 2);
    expectNear(pixelAt(image.pixels, 224, 112, 112), GREEN, 2);
    expectNear(pixelAt(image.pixels, 224, 218, 112), BLUE, 2);
  });

  it('center-crop cuts the bands off: only the green centre remains', async () => {
    const file = await write('banded-crop.png', await banded().png().toBuffer());
    const image = await prepareImage(file, { policy: 'center-crop' });
    expect(image).toMatchObject({ originalWidth: 300, originalHeight: 200, size: 224 });
    expect(image.region).toEqual({ left: 50, top: 0, width: 200, height: 200 });
    expect(maxDeviation(image.pixels, GREEN)).toBeLessThanOrEqual(1);
  });

  it('center-crop works in oriented coordinates', async () => {
    // Stored 200×300 rotated by orientation 6 → displayed 300×200 with the stored bottom on the left.
    const stored = painted(200, 300, (_x, y) => (y >= 250 ? RED : y >= 50 ? GREEN : BLUE));
    const file = await write('banded-orient.jpg', await stored.jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
    const image = await prepareImage(file, { policy: 'center-crop', size: 64 });
    expect(image.region).toEqual({ left: 50, top: 0, width: 200, height: 200 });
    expect(image.pixels.length).toBe(64 * 64 * 3);
    expectNear(pixelAt(image.pixels, 64, 2, 32), GREEN, 16);
    expectNear(pixelAt(image.pixels, 64, 61, 32), GREEN, 16);
  });

  it('bad options are user errors, not crashes', async () => {
    const file = await write('opts.png', await solid(RED, 32, 32).png().toBuffer());
    await expect(prepareImage(file, { size: 0 })).rejects.toBeInstanceOf(UserError);
    await expect(prepareImage(file, { policy: 'stretch' as never })).rejects.toBeInstanceOf(UserError);
    await expect(prepareImage(file, { maxPixels: Number.NaN })).rejects.toBeInstanceOf(UserError);
  });
});

describe('bad input: one-line ImageInputError naming the file and the problem', () => {
  async function expectRefused(file: string, problem: RegExp): Promise<ImageInputError> {
    const err: unknown = await prepareImage(file).then(
      () => expect.fail(`${file} was accepted`),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImageInputError);
    const error = err as ImageInputError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(2);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    expect(error.message).toMatch(problem);
    expect(error.message).not.toContain('\n');
    // readRgb refuses it the same way.
    await expect(readRgb(file)).rejects.toThrow(error.message);
    return error;
  }

  const jpegBytes = () =>
    painted(300, 200, (x, y) => [x % 256, y % 256, (x * y) % 256])
      .jpeg({ quality: 90 })
      .toBuffer();
  const startOfScan = (jpeg: Buffer): number => jpeg.indexOf(Buffer.from([0xff, 0xda]));

  it('missing file', async () => {
    await expectRefused(path.join(dir, 'nope.jpg'), /no such file/);
  });

  it('empty file', async () => {
    await expectRefused(await write('empty.jpg', ''), /empty file/);
  });

  it('a text file named .jpg', async () => {
    await expectRefused(await write('text.jpg', 'this is not a photo\n'), /not an image/);
  });

  it('a directory', async () => {
    const sub = path.join(dir, 'folder.jpg');
    await fs.mkdir(sub);
    await expectRefused(sub, /is a directory/);
  });

  it('a broken symbolic link', async () => {
    const link = path.join(dir, 'dangling.jpg');
    await fs.symlink(path.join(dir, 'gone.jpg'), link);
    await expectRefused(link, /broken symbolic link/);
  });

  const isRoot = process.getuid?.() === 0;
  it.skipIf(isRoot)(`a file without read permission${isRoot ? ' [skipped: running as root, which can read it]' : ''}`, async () => {
    const file = await write('secret.png', await solid(RED, 32, 32).png().toBuffer());
    await fs.chmod(file, 0o000);
    await expectRefused(file, /permission denied/);
  });

  it('a 1×1 image', async () => {
    await expectRefused(await write('dot.png', await solid(RED, 1, 1).png().toBuffer()), /1×1 is too small/);
    expect(MIN_SIDE).toBe(16);
  });

  it('a 20000×20000 header is refused at once, from the header alone', async () => {
    const file = await write('bomb.png', pngHeaderOnly(20000, 20000));
    expect((await fs.stat(file)).size).toBeLessThan(200);
    const started = Date.now();
    await expectRefused(file, /20000×20000 is 400,000,000 pixels, over the pixel limit of 100,000,000/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a custom pixel limit applies too', async () => {
    const file = await write('limit.png', await solid(RED).png().toBuffer());
    await expect(prepareImage(file, { maxPixels: 50_000 })).rejects.toThrow(/over the pixel limit of 50,000/);
  });

  for (const [name, cut] of [
    ['inside the header', (_jpeg: Buffer) => 100],
    ['right after the headers (no scan data)', (jpeg: Buffer) => startOfScan(jpeg) + 14],
    ['half-way through the scan data', (jpeg: Buffer) => Math.floor((startOfScan(jpeg) + jpeg.length) / 2)],
    ['just before the end marker', (jpeg: Buffer) => jpeg.length - 2],
  ] as const) {
    it(`a JPEG truncated ${name} is refused, not returned grey`, async () => {
      const jpeg = await jpegBytes();
      expect(startOfScan(jpeg)).toBeGreaterThan(100);
      await expectRefused(await write(`cut-${cut(jpeg)}.jpg`, jpeg.subarray(0, cut(jpeg))), /truncated JPEG/);
    });
  }

  it('a PNG with corrupt IDAT bytes (bad CRC)', async () => {
    const png = Buffer.from(
      await painted(64, 64, (x, y) => [x * 4, y * 4, 0])
        .png()
        .toBuffer(),
    );
    const idat = png.indexOf('IDAT');
    for (let i = idat + 20; i < idat + 60; i++) png[i] = png[i]! ^ 0x5a;
    await expectRefused(await write('corrupt.png', png), /corrupt or truncated PNG/);
  });

  it('a PNG whose IDAT is a valid chunk holding half a zlib stream', async () => {
    const ihdrAndIdat = pngHeaderOnly(64, 64).subarray(0, 33); // signature + IHDR
    const rows = deflateSync(Buffer.alloc(64 * (1 + 64 * 3), 7));
    const png = Buffer.concat([ihdrAndIdat, pngChunk('IDAT', rows.subarray(0, rows.length >> 1)), pngChunk('IEND', Buffer.alloc(0))]);
    await expectRefused(await write('half-idat.png', png), /corrupt or truncated PNG/);
  });

  it('a PNG cut off in the middle of its IDAT', async () => {
    const png = await painted(64, 64, (x, y) => [x * 4, y * 4, 0])
      .png()
      .toBuffer();
    await expectRefused(await write('cut.png', png.subarray(0, png.length >> 1)), /corrupt or truncated PNG/);
  });

  it('a truncated TIFF (its directory is at the end) is called a truncated TIFF, not an unknown format', async () => {
    const tiff = await solid(RED).tiff().toBuffer();
    await expectRefused(await write('cut.tif', tiff.subarray(0, tiff.length >> 1)), /truncated TIFF/);
  });

  it('formats we do not accept: BMP, SVG', async () => {
    await expectRefused(await write('old.bmp', Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)])), /BMP images are not supported/);
    const svg =
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>';
    await expectRefused(await write('vector.svg', svg), /SVG images are not supported/);
  });

  it('a file name with a newline still gives a one-line message', async () => {
    const error: unknown = await prepareImage(path.join(dir, 'two\nlines.jpg')).catch((e: unknown) => e);
    if (!(error instanceof ImageInputError)) return expect.fail('expected an ImageInputError');
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('two\\nlines.jpg: no such file');
  });
});

describeWithShared('the sample photos in ../shared/images', () => {
  const photos = ['astronaut.png', 'chelsea.png', 'coffee.png', 'horse.png', 'motorcycle_left.png', 'rocket.jpg'];
  for (const name of photos) {
    it(`${name} prepares to 224×224 with its original size kept`, async () => {
      const file = sharedPath('images', name);
      const meta = await sharp(file).metadata();
      for (const policy of ['squash', 'center-crop'] as const) {
        const image = await prepareImage(file, { policy });
        expect([image.originalWidth, image.originalHeight]).toEqual([meta.autoOrient.width, meta.autoOrient.height]);
        expect(image.region).toEqual(encoderRegion(policy, image.originalWidth, image.originalHeight));
        expect(image.pixels.length).toBe(224 * 224 * 3);
        expect(new Set(image.pixels).size).toBeGreaterThan(50); // a photo, not a flat grey
      }
    });
  }
});
