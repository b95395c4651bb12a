/*
 * Low-level helpers to hand-assemble small WebAssembly modules (no toolchain at build or run time):
 * LEB128 integers, length-prefixed vectors, a one-memory module of all-i32 functions, and a lazily
 * compiled, growable instance. Shared by the SIMD kernels of @assay/math (gemm, resample) and of the
 * lenses (the linter's pixel scan).
 */

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
declare const WebAssembly: WasmApi;

/**
 * Unsigned LEB128 encoding of a non-negative integer below 2³² (WebAssembly's `u32`: lengths, counts,
 * indices, memory offsets, SIMD opcodes).
 *
 * @remarks Low-level WebAssembly encoding helper, for code that assembles its own kernels.
 */
export function leb(v: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>>= 7;
    if (v === 0) return [...bytes, b];
    bytes.push(b | 0x80);
  }
}

/**
 * Signed LEB128 encoding of a 32-bit integer (WebAssembly's `i32.const` immediate).
 *
 * @remarks Low-level WebAssembly encoding helper, for code that assembles its own kernels.
 */
export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/**
 * A WebAssembly vector: the byte count as unsigned LEB128, then the bytes (section contents, function
 * bodies).
 *
 * @remarks Low-level WebAssembly encoding helper, for code that assembles its own kernels.
 */
export function vec(bytes: number[]): number[] {
  return [...leb(bytes.length), ...bytes];
}

/** A WebAssembly name (ASCII only here): length-prefixed character codes. */
const str = (s: string): number[] => vec(Array.from(s, (ch) => ch.charCodeAt(0)));

/** One function of a {@link wasmModule}: its export name, how many i32 parameters, and its body. */
export interface WasmFunction {
  /** Export name. */
  name: string;
  /** Number of parameters, all i32. The function returns nothing. */
  params: number;
  /** The code entry without its size prefix: local declarations, instructions, the final `end` (0x0b). */
  body: number[];
}

/**
 * Bytes of a WebAssembly module that imports its memory as `e.m` (at least one page) and exports the
 * given functions (function i has type i and index i). With `sharedMemory` the import is a shared
 * memory of at most 65,536 pages (4 GiB), so several worker threads can run the module over one
 * `WebAssembly.Memory({ shared: true, maximum })`.
 *
 * @remarks Low-level WebAssembly encoding helper, for code that assembles its own kernels.
 */
export function wasmModule(funcs: readonly WasmFunction[], options: { sharedMemory?: boolean } = {}): Uint8Array {
  const sec = (id: number, content: number[]) => [id, ...vec(content)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...sec(1, [...leb(funcs.length), ...funcs.flatMap((f) => [0x60, ...leb(f.params), ...new Array<number>(f.params).fill(0x7f), 0])]),
    ...sec(2, [1, ...str("e"), ...str("m"), 0x02, ...(options.sharedMemory === true ? [0x03, 1, ...leb(65536)] : [0x00, 1])]),
    ...sec(3, [...leb(funcs.length), ...funcs.map((_, i) => i)]),
    ...sec(7, [...leb(funcs.length), ...funcs.flatMap((f, i) => [...str(f.name), 0x00, i])]),
    ...sec(10, [...leb(funcs.length), ...funcs.flatMap((f) => vec(f.body))]),
  ]);
}

/**
 * The instruction encodings the hand-assembled kernels share: value types, local access, i32
 * constants and arithmetic, and the SIMD prefix (`simd(op, ...immediates)`).
 *
 * @remarks Low-level WebAssembly encoding helper, for code that assembles its own kernels.
 */
export const wasmOp = Object.freeze({
  I32: 0x7f,
  V128: 0x7b,
  get: (i: number): number[] => [0x20, i],
  set: (i: number): number[] => [0x21, i],
  tee: (i: number): number[] => [0x22, i],
  i32c: (v: number): number[] => [0x41, ...sleb(v)],
  add: 0x6a,
  mul: 0x6c,
  ltU: 0x49,
  shl: 0x74,
  shrU: 0x76,
  and: 0x71,
  geU: 0x4f,
  /** i32.load with 4-byte alignment and offset 0. */
  load32: [0x28, 2, 0] as readonly number[],
  simd: (op: number, ...imm: number[]): number[] => [0xfd, ...leb(op), ...imm],
});

/**
 * A module instance with its own memory (`bytes` long), as returned by {@link lazyKernel}.
 *
 * @remarks Low-level WebAssembly helper.
 */
export interface WasmKernel {
  /** The instance's memory; views on `buffer` are valid until the next, larger, request. */
  memory: { readonly buffer: ArrayBuffer };
  /** The module's exported functions. */
  fns: Record<string, (...args: number[]) => void>;
  /** Size of the memory in bytes. */
  bytes: number;
}

/**
 * A lazily compiled module: the returned function compiles `code()` on its first call and then always
 * gives that `WebAssembly.Module`, or null when this runtime cannot compile it (no WebAssembly, or no
 * SIMD). `code` is called at most once.
 *
 * @remarks Low-level WebAssembly helper, for code that instantiates its modules itself (for example
 * against the shared memory of a kernel-resident array).
 */
export function lazyModule(code: () => Uint8Array): () => object | null {
  let mod: object | null | undefined;
  return () => {
    if (mod === undefined) {
      try {
        const bin = code();
        mod = typeof WebAssembly === "object" && WebAssembly.validate(bin) ? new WebAssembly.Module(bin) : null;
      } catch {
        mod = null;
      }
    }
    return mod;
  };
}

/**
 * A lazily compiled module whose instance is recreated with a larger memory whenever a call needs more
 * than the current `bytes`. The returned function gives null when this runtime cannot compile the
 * module (no WebAssembly, or no SIMD): callers then use their JavaScript fallback. `code` is called at
 * most once.
 *
 * @remarks Low-level WebAssembly helper, for code that assembles its own kernels with {@link wasmModule}.
 */
export function lazyKernel(code: () => Uint8Array): (bytes: number) => WasmKernel | null {
  const compiled = lazyModule(code);
  let inst: WasmKernel | undefined;
  return (bytes) => {
    const mod = compiled();
    if (mod === null) return null;
    if (!inst || inst.bytes < bytes) {
      const pages = Math.ceil(bytes / 65536) + 1;
      const memory = new WebAssembly.Memory({ initial: pages });
      const fns = new WebAssembly.Instance(mod, { e: { m: memory } }).exports as WasmKernel["fns"];
      inst = { memory, fns, bytes: pages * 65536 };
    }
    return inst;
  };
}
