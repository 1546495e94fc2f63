/**
 * NumPy's `.npy` format (versions 1–3), float32 little-endian, C order: the raw tensors the CNN ports
 * are made from. `parseNpy` reads one; `formatNpy` writes one (tests fold known weights into the
 * same files the converter reads).
 */
import { promises as fs } from 'node:fs';
import { FileInputError } from '../../util/user-error.js';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The bytes of a `.npy` file → its array; `location` names the file in errors. */
export function parseNpy(bytes: Uint8Array, location: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new FileInputError(location, 'is not a .npy file');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new FileInputError(location, 'has a corrupt .npy header');
  if (descr !== '<f4') throw new FileInputError(location, `holds ${descr} numbers, expected float32 ('<f4')`);
  if (fortran === 'True') throw new FileInputError(location, 'is in Fortran order, expected C order');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  if (bytes.length - start !== count * 4) {
    throw new FileInputError(location, `holds ${bytes.length - start} data bytes, its shape [${shape.join(', ')}] needs ${count * 4}`);
  }
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(start));
  return { shape, data };
}

export async function readNpy(file: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new FileInputError(file, `cannot be read (${(err as { code?: string }).code ?? err})`);
  }
  return parseNpy(bytes, file);
}

/** An array → the bytes of a version-1 `.npy` file. */
export function formatNpy(array: NpyArray): Uint8Array {
  const dims = array.shape.length === 1 ? `${array.shape[0]},` : array.shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const out = new Uint8Array(10 + header.length + array.data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), 10 + header.length);
  return out;
}
