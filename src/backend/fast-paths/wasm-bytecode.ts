/**
 * Just enough of the WebAssembly binary format to write small SIMD kernels from TypeScript: a module
 * that imports its memory and exports functions of i32 parameters, and the few instructions those
 * need (https://webassembly.github.io/spec/core/binary/). No toolchain, no committed binary: the
 * kernels' source is the TypeScript that emits them (wasm-simd-kernels.ts).
 */

export type Bytes = number[];

/** Unsigned LEB128. */
function uleb(n: number): Bytes {
  const out: Bytes = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
function sleb(n: number): Bytes {
  const out: Bytes = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const I32 = 0x7f;
const V128 = 0x7b;
const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
const name = (s: string): Bytes => vec([...s].map((ch) => [ch.charCodeAt(0)]));
const section = (id: number, body: Bytes): Bytes => [id, ...uleb(body.length), ...body];

/** Instructions (operands are local indices, constants and byte offsets). */
export const op = {
  get: (i: number): Bytes => [0x20, ...uleb(i)],
  set: (i: number): Bytes => [0x21, ...uleb(i)],
  i32: (n: number): Bytes => [0x41, ...sleb(n)],
  add: [0x6a] as Bytes,
  mul: [0x6c] as Bytes,
  f32Load: [0x2a, 2, 0] as Bytes,
  f32Store: [0x38, 2, 0] as Bytes,
  f32Add: [0x92] as Bytes,
  f32Sub: [0x93] as Bytes,
  f32: (x: number): Bytes => {
    const bytes = new DataView(new ArrayBuffer(4));
    bytes.setFloat32(0, x, true); // (WebAssembly is little-endian whatever the host)
    return [0x43, ...new Uint8Array(bytes.buffer)];
  },
  v128Load: [0xfd, 0x00, 2, 0] as Bytes, // (4-byte alignment promised, any address works)
  v128Store: [0xfd, 0x0b, 2, 0] as Bytes,
  v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)] as Bytes,
  f32x4Splat: [0xfd, 0x13] as Bytes,
  f32x4Lane: (lane: number): Bytes => [0xfd, 0x1f, lane],
  f32x4Add: [0xfd, ...uleb(0xe4)] as Bytes,
  f32x4Sub: [0xfd, ...uleb(0xe5)] as Bytes,
  f32x4Mul: [0xfd, ...uleb(0xe6)] as Bytes,
  f32x4Div: [0xfd, ...uleb(0xe7)] as Bytes,
  f32x4Sqrt: [0xfd, ...uleb(0xe3)] as Bytes,
};

/** The sum of the four f32 lanes of v128 local `v`, as one f32 on the stack. */
export const sumLanes = (v: number): Bytes => [
  ...op.get(v),
  ...op.f32x4Lane(0),
  ...op.get(v),
  ...op.f32x4Lane(1),
  ...op.f32Add,
  ...op.get(v),
  ...op.f32x4Lane(2),
  ...op.f32Add,
  ...op.get(v),
  ...op.f32x4Lane(3),
  ...op.f32Add,
];

/** `local = value`, the value computed by the instruction bytes `expr` in order. */
export const assign = (local: number, ...expr: Bytes[]): Bytes => [...expr.flat(), ...op.set(local)];

/**
 * for (counter = 0; counter < limit; counter += step) body — limit a local; the body's own
 * branches stay inside it.
 */
export function loop(counter: number, limit: number, step: number, body: Bytes): Bytes {
  return [
    ...op.i32(0),
    ...op.set(counter),
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...op.get(counter),
    ...op.get(limit),
    0x4f, // i32.ge_u
    0x0d,
    1, // br_if out of the block
    ...body,
    ...op.get(counter),
    ...op.i32(step),
    ...op.add,
    ...op.set(counter),
    0x0c,
    0, // br to the loop's start
    0x0b,
    0x0b,
  ];
}

/** Zeroes `bytes` bytes (a multiple of 16) from address local `at`, counting in local `counter`. */
export const zeroBytes = (at: number, counter: number, bytes: number): Bytes =>
  loop(counter, bytes, 16, [...op.get(at), ...op.get(counter), ...op.add, ...op.v128Zero, ...op.v128Store]);

export interface KernelFunction {
  name: string;
  /** Number of i32 parameters (locals 0 … params − 1). */
  params: number;
  /** Extra i32 locals, then v128 locals, after the parameters. */
  i32Locals: number;
  v128Locals: number;
  body: Bytes;
}

/** A module importing env.memory (shared with a maximum, or not) and exporting `functions`. */
export function kernelModule(
  functions: readonly KernelFunction[],
  memory: { shared: boolean; maximumPages?: number },
): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(new Array<Bytes>(f.params).fill([I32])), 0]);
  const limits = memory.shared ? [0x03, 0, ...uleb(memory.maximumPages ?? 65536)] : [0x00, 0];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const codes = vec(
    functions.map((f) => {
      const locals = vec([
        [...uleb(f.i32Locals), I32],
        [...uleb(f.v128Locals), V128],
      ]);
      const body = [...locals, ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}
