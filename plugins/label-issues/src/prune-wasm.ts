/*
 * The prune_by_noise_rate selections of PruneSelector (prune.ts) as one hand-assembled WebAssembly module, for float32
 * pred_probs with K a multiple of 4: the SIMD pre-filter and the bounded heaps both live in the module's
 * memory, so a candidate costs a few instructions instead of a JavaScript call. Same heaps, same order of
 * offers per heap (rows ascending), same floors and tie detection as the JavaScript selector, in float32
 * (every selection value of float32 input is a float32 value), so the selections are identical.
 *
 * Memory: a header of int32 byte addresses at 0 (see HEADER), then the row block, labels, the K×K floors
 * (`gate`, +∞ where class k has no slot for column j) and slot numbers, per slot its column, capacity,
 * size, heap offset, largest rejected value and floor, and the heaps (values and rows).
 *
 *   o(s, k, vBits, row): offer the float32 with bits vBits of global row `row` to slot s of class k: a
 *     min-heap on (value asc, row desc) of at most cap entries; a full heap's weakest value is its floor
 *     (also written to gate[k·K + j]), and a value rejected at or evicted from the top raises `rej`.
 *   x(rows, row0): the rows of the block (global rows row0…): per row with label k and per group of 4
 *     columns, `fround(v_j − v_k) ≥ gate[k·K + j]`, offering each passing column to its slot.
 */
import { lazyModule, leb, wasmModule, wasmOp } from "@assay/math";
import { rowsWasmEnabled } from "./rows-wasm.js";

/** Header slots (int32 byte addresses, except K). */
const H = { block: 0, labels: 1, gate: 2, slotAt: 3, slotJ: 4, cap: 5, size: 6, off: 7, rej: 8, floor: 9, hv: 10, hr: 11, K: 12 } as const;
const HEADER = 64;

/** Bytes of the module (exports `o` and `x`; imports memory `e.m`). */
export function pruneWasm(): Uint8Array {
  const { I32, V128, get, set, tee, i32c, add, mul, shl, ltU, simd } = wasmOp;
  const F32 = 0x7d;
  const hdr = (slot: number) => [...i32c(0), 0x28, 2, ...leb(4 * slot)]; // i32.load of a header slot
  const ldI = [0x28, 2, 0];
  const ldF = [0x2a, 2, 0];
  const stI = [0x36, 2, 0];
  const stF = [0x38, 2, 0];
  const [sub, and, shrS, eqz] = [0x6b, 0x71, 0x75, 0x45];
  const [ieq, iltS, igtS, igeS] = [0x46, 0x48, 0x4a, 0x4e];
  const [feq, flt, fgt] = [0x5b, 0x5d, 0x5e];
  const [block, loop, ifv, end, br, brIf, ret] = [[0x02, 0x40], [0x03, 0x40], [0x04, 0x40], 0x0b, 0x0c, 0x0d, 0x0f];
  // address of element `i` (an i32 expression) of the array whose base address is header slot `slot`
  const at = (slot: number, i: number[]) => [...hdr(slot), ...i, ...i32c(2), shl, add];

  // o: params 0 s, 1 k, 2 vBits, 3 row; locals 4 v (f32), 5 size, 6 cap, 7 hv (byte address of the heap's
  // values), 8 hr (rows), 9 c, 10 p, 11 l, 12 m, 13 r (i32); 14 pv, 15 top, 16 lv, 17 rv (f32)
  const [s, k, vb, row] = [0, 1, 2, 3];
  const [v, size, cap, hv, hr, c, p, l, m, rr, pv, top, lv, rv] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const hvAt = (i: number) => [...get(hv), ...get(i), ...i32c(2), shl, add];
  const hrAt = (i: number) => [...get(hr), ...get(i), ...i32c(2), shl, add];
  // floor[s] = x; gate[k·K + slotJ[s]] = x
  const raise = (x: number[]) => [
    ...at(H.floor, get(s)), ...x, ...stF,
    ...at(H.gate, [...get(k), ...hdr(H.K), mul, ...at(H.slotJ, get(s)), ...ldI, add]), ...x, ...stF,
  ];
  // prettier-ignore
  const offer = [
    3, 1, F32, 9, I32, 4, F32,
    ...get(vb), 0xbe, ...set(v), // f32.reinterpret_i32
    ...get(v), ...at(H.rej, get(s)), ...ldF, fgt, eqz, brIf, 0, // not above rej: return
    ...at(H.size, get(s)), ...ldI, ...set(size),
    ...at(H.cap, get(s)), ...ldI, ...set(cap),
    ...at(H.hv, [...at(H.off, get(s)), ...ldI]), ...set(hv),
    ...at(H.hr, [...at(H.off, get(s)), ...ldI]), ...set(hr),
    ...get(size), ...get(cap), iltS, ...ifv,
    // push and sift up
    ...get(size), ...set(c),
    ...block, ...loop,
    ...get(c), eqz, brIf, 1,
    ...get(c), ...i32c(1), sub, ...i32c(1), shrS, ...set(p),
    ...hvAt(p), ...ldF, ...tee(pv), ...get(v), flt, brIf, 1,
    ...get(pv), ...get(v), feq, ...hrAt(p), ...ldI, ...get(row), igtS, and, brIf, 1,
    ...hvAt(c), ...get(pv), ...stF,
    ...hrAt(c), ...hrAt(p), ...ldI, ...stI,
    ...get(p), ...set(c),
    br, 0,
    end, end,
    ...hvAt(c), ...get(v), ...stF,
    ...hrAt(c), ...get(row), ...stI,
    ...at(H.size, get(s)), ...get(size), ...i32c(1), add, ...stI,
    ...get(size), ...i32c(1), add, ...get(cap), ieq, ...ifv,
    ...raise([...get(hv), ...ldF]),
    end,
    ret,
    end,
    // full heap
    ...get(hv), ...ldF, ...set(top),
    ...get(v), ...get(top), fgt, eqz, ...ifv,
    ...at(H.rej, get(s)), ...get(v), ...stF, // equal to the weakest kept value: loses the tie (higher row)
    ret,
    end,
    ...get(top), ...at(H.rej, get(s)), ...ldF, fgt, ...ifv,
    ...at(H.rej, get(s)), ...get(top), ...stF,
    end,
    // replace the top and sift down
    ...i32c(0), ...set(c),
    ...block, ...loop,
    ...get(c), ...i32c(1), shl, ...i32c(1), add, ...tee(l), ...get(size), igeS, brIf, 1,
    ...get(l), ...set(m),
    ...get(l), ...i32c(1), add, ...tee(rr), ...get(size), iltS, ...ifv,
    ...hvAt(l), ...ldF, ...set(lv),
    ...hvAt(rr), ...ldF, ...set(rv),
    ...get(rv), ...get(lv), flt,
    ...get(rv), ...get(lv), feq, ...hrAt(rr), ...ldI, ...hrAt(l), ...ldI, igtS, and,
    0x72, // i32.or
    ...ifv, ...get(rr), ...set(m), end,
    end,
    ...hvAt(m), ...ldF, ...set(pv),
    ...get(v), ...get(pv), flt, brIf, 1,
    ...get(v), ...get(pv), feq, ...get(row), ...hrAt(m), ...ldI, igtS, and, brIf, 1,
    ...hvAt(c), ...get(pv), ...stF,
    ...hrAt(c), ...hrAt(m), ...ldI, ...stI,
    ...get(m), ...set(c),
    br, 0,
    end, end,
    ...hvAt(c), ...get(v), ...stF,
    ...hrAt(c), ...get(row), ...stI,
    ...raise([...get(hv), ...ldF]),
    end,
  ];

  // x: params 0 rows, 1 row0; locals 2 r, 3 q (byte address in the row), 4 end, 5 gp (gate row), 6 sp
  // (slot row), 7 kk, 8 bits (i32); 9 own, 10 d (v128)
  const [rows, row0] = [0, 1];
  const [r, q, qend, gp, sp, kk, bits, own, d] = [2, 3, 4, 5, 6, 7, 8, 9, 10];
  const offerLane = (li: number) => [
    ...get(bits), ...i32c(1 << li), and, ...ifv,
    ...get(sp), ...i32c(4 * li), add, ...ldI, // slot
    ...get(kk),
    ...get(d), ...simd(0x1f, li), 0xbc, // f32x4.extract_lane, i32.reinterpret_f32
    ...get(row0), ...get(r), add,
    0x10, 0, // call o
    end,
  ];
  // prettier-ignore
  const scan = [
    2, 7, I32, 2, V128,
    ...i32c(0), ...set(r),
    ...hdr(H.block), ...set(q),
    ...block,
    ...get(rows), eqz, brIf, 0,
    ...loop,
    // k = labels[r]; own = splat(row[k])
    ...at(H.labels, get(r)), ...ldI, ...set(kk),
    ...get(q), ...get(kk), ...i32c(2), shl, add, ...ldF, ...simd(0x13), ...set(own), // f32x4.splat
    ...at(H.gate, [...get(kk), ...hdr(H.K), mul]), ...set(gp),
    ...at(H.slotAt, [...get(kk), ...hdr(H.K), mul]), ...set(sp),
    ...get(q), ...hdr(H.K), ...i32c(2), shl, add, ...set(qend),
    ...loop,
    ...get(q), ...simd(0x00, 0, 0), ...get(own), ...simd(0xe5), ...tee(d),
    ...get(gp), ...simd(0x00, 0, 0), ...simd(0x46), ...simd(0xa4), ...tee(bits), // f32x4.ge, i32x4.bitmask
    ...ifv,
    ...offerLane(0), ...offerLane(1), ...offerLane(2), ...offerLane(3),
    end,
    ...get(gp), ...i32c(16), add, ...set(gp),
    ...get(sp), ...i32c(16), add, ...set(sp),
    ...get(q), ...i32c(16), add, ...tee(q), ...get(qend), ltU, brIf, 0,
    end,
    ...get(r), ...i32c(1), add, ...tee(r), ...get(rows), ltU, brIf, 0,
    end,
    end,
    end,
  ];
  return wasmModule([
    { name: "o", params: 4, body: offer },
    { name: "x", params: 2, body: scan },
  ]);
}

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (m: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
declare const WebAssembly: WasmApi;

const compiled = lazyModule(pruneWasm);

/** The slot layout of a PruneSelector, as the module needs it. */
export interface SlotLayout {
  readonly K: number;
  readonly y: Int32Array;
  readonly slotJ: Int32Array;
  readonly slotCap: Int32Array;
  readonly slotOff: Int32Array;
  readonly slotAt: Int32Array;
  /** K×K initial floors: −∞ where class k has a slot for column j, else +∞. */
  readonly gate: Float64Array;
}

/** The heaps' state, as views into the module memory. */
export interface HeapState {
  readonly size: Int32Array;
  readonly rej: Float32Array;
  readonly values: Float32Array;
  readonly rows: Int32Array;
}

/** One selector's module instance and memory (see the module comment). */
export class PruneWasm {
  private readonly L: SlotLayout;
  private readonly R: number;
  private readonly buf: ArrayBuffer;
  private readonly at: Int32Array;
  private readonly run: (rows: number, row0: number) => void;

  constructor(mod: object, L: SlotLayout) {
    this.L = L;
    const { K } = L;
    const S = L.slotJ.length;
    const total = L.slotOff[S]!;
    this.R = Math.max(1, Math.floor(65536 / K));
    const align = (x: number) => Math.ceil(x / 16) * 16;
    const at = new Int32Array(13);
    let o = HEADER;
    const take = (slot: number, bytes: number) => {
      at[slot] = o;
      o = align(o + bytes);
    };
    take(H.block, this.R * K * 4);
    take(H.labels, this.R * 4);
    take(H.gate, K * K * 4);
    take(H.slotAt, K * K * 4);
    for (const slot of [H.slotJ, H.cap, H.size, H.off, H.rej, H.floor]) take(slot, S * 4);
    take(H.hv, total * 4);
    take(H.hr, total * 4);
    at[H.K] = K;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(o / 65536) + 1 });
    const fns = new WebAssembly.Instance(mod, { e: { m: memory } }).exports as Record<string, (...a: number[]) => void>;
    this.buf = memory.buffer;
    this.at = at;
    this.run = fns.x!;
    new Int32Array(this.buf, 0, 13).set(at);
    new Float32Array(this.buf, at[H.gate]!, K * K).set(L.gate);
    new Int32Array(this.buf, at[H.slotAt]!, K * K).set(L.slotAt);
    new Int32Array(this.buf, at[H.slotJ]!, S).set(L.slotJ);
    new Int32Array(this.buf, at[H.cap]!, S).set(L.slotCap.subarray(0, S));
    new Int32Array(this.buf, at[H.off]!, S).set(L.slotOff.subarray(0, S));
    new Float32Array(this.buf, at[H.rej]!, S).fill(-Infinity);
    new Float32Array(this.buf, at[H.floor]!, S).fill(-Infinity);
  }

  /** Feed `rows` rows of `P` (global rows `start…`, ascending across calls). */
  add(P: Float32Array, start: number, rows: number): void {
    const { K, y } = this.L;
    const block = new Float32Array(this.buf, this.at[H.block]!, this.R * K);
    const labels = new Int32Array(this.buf, this.at[H.labels]!, this.R);
    for (let r0 = 0; r0 < rows; r0 += this.R) {
      const nr = Math.min(this.R, rows - r0);
      block.set(P.subarray(r0 * K, (r0 + nr) * K));
      labels.set(y.subarray(start + r0, start + r0 + nr));
      this.run(nr, start + r0);
    }
  }

  /** The heaps' sizes, largest rejected values, values and rows. */
  state(): HeapState {
    const S = this.L.slotJ.length;
    const total = this.L.slotOff[S]!;
    return {
      size: new Int32Array(this.buf, this.at[H.size]!, S),
      rej: new Float32Array(this.buf, this.at[H.rej]!, S),
      values: new Float32Array(this.buf, this.at[H.hv]!, total),
      rows: new Int32Array(this.buf, this.at[H.hr]!, total),
    };
  }
}

/** A module instance for a selector over float32 pred_probs with K a multiple of 4, or null (JavaScript selector). */
export function pruneWasmFor(L: SlotLayout): PruneWasm | null {
  if (L.K < 4 || L.K % 4 !== 0 || !rowsWasmEnabled()) return null;
  const mod = compiled();
  return mod === null ? null : new PruneWasm(mod, L);
}
