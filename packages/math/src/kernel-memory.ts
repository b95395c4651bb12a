import type { Float32Matrix } from "@assay/core";
import { checkInt } from "./errors.js";

/**
 * Bytes at the head of a kernel-resident array's memory that kernels use as scratch while they read the
 * array in place (64 pages = 4 MiB of address space; pages no kernel touches take no physical memory).
 */
export const KERNEL_SCRATCH_BYTES = 64 * 65536;

const PAGE = 65536;
const MAX_BYTES = 65536 * PAGE;

/** The WebAssembly API subset used here (the TypeScript config has no DOM/wasm lib). */
interface SharedMemoryApi {
  Memory: new (d: { initial: number; maximum: number; shared: true }) => { readonly buffer: SharedArrayBuffer };
}
declare const WebAssembly: SharedMemoryApi | undefined;

interface Resident {
  memory: object;
  leased: boolean;
}

const residents = new WeakMap<SharedArrayBuffer, Resident>();

/**
 * A zero-filled Float32Array of `length` values that WebAssembly kernels can read in place: it lives in
 * a shared `WebAssembly.Memory`, after a {@link KERNEL_SCRATCH_BYTES} scratch area. Kernels that find
 * their input there (NN-descent's distance kernel, the label-issue row scans) skip the copy of the whole
 * input into their own memory — a copy that costs as much memory as the input itself. A plain array
 * works everywhere too; it is copied. Falls back to a plain Float32Array when the runtime has no shared
 * WebAssembly memory or the array would not fit in 4 GiB.
 */
export function kernelFloat32Array(length: number): Float32Array {
  checkInt("kernelFloat32Array", "length", length, 0, Number.MAX_SAFE_INTEGER);
  const bytes = KERNEL_SCRATCH_BYTES + length * 4;
  if (bytes > MAX_BYTES || typeof WebAssembly !== "object" || typeof SharedArrayBuffer !== "function") return new Float32Array(length);
  let memory: { readonly buffer: SharedArrayBuffer };
  try {
    const pages = Math.ceil(bytes / PAGE);
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return new Float32Array(length);
  }
  residents.set(memory.buffer, { memory, leased: false });
  return new Float32Array(memory.buffer, KERNEL_SCRATCH_BYTES, length);
}

/** A rows×cols matrix on {@link kernelFloat32Array} storage. */
export function kernelMatrix(rows: number, cols: number): Float32Matrix {
  checkInt("kernelMatrix", "rows", rows, 0, Number.MAX_SAFE_INTEGER);
  checkInt("kernelMatrix", "cols", cols, 0, Number.MAX_SAFE_INTEGER);
  return { rows, cols, data: kernelFloat32Array(rows * cols) };
}

/** True when `a` was allocated by {@link kernelFloat32Array} in a shared WebAssembly memory. */
export function isKernelResident(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer && residents.has(a.buffer);
}

/**
 * Exclusive use of a kernel-resident array's memory: its `WebAssembly.Memory` (to instantiate a module
 * that imports a shared memory), the scratch area [0, KERNEL_SCRATCH_BYTES), and the array's byte
 * offset. Null when `a` is not kernel-resident, or its scratch is in use by another call (the caller
 * then copies, as for any plain array). Release it when done (in a `finally`).
 *
 * @remarks Low-level WebAssembly helper, for kernels that read their input in place.
 */
export interface KernelLease {
  readonly memory: object;
  readonly scratchBytes: number;
  readonly byteOffset: number;
  release(): void;
}

/** @see KernelLease */
export function leaseKernelMemory(a: ArrayBufferView): KernelLease | null {
  if (!(a.buffer instanceof SharedArrayBuffer)) return null;
  const r = residents.get(a.buffer);
  if (r === undefined || r.leased) return null;
  r.leased = true;
  let released = false;
  return {
    memory: r.memory,
    scratchBytes: KERNEL_SCRATCH_BYTES,
    byteOffset: a.byteOffset,
    release: () => {
      if (released) return;
      released = true;
      r.leased = false;
    },
  };
}
