// Helpers shared by this package's tests (not exported from the package).
import { expect } from "vitest";
import type { Float32Matrix } from "@assay/core";
import { Mt19937 } from "./rng.js";

/** Assert |actual − expected| ≤ tol element-wise, naming the first failing index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol)) expect.fail(`index ${i}: got ${a}, expected ${e} (tol ${tol})`);
  }
}

/** `np.random.RandomState(seed).random_sample((n, d)).astype(np.float32)`, bit-identical. */
export function uniformMatrix(seed: number, n: number, d: number): Float32Matrix {
  const rng = new Mt19937(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.random();
  return { rows: n, cols: d, data };
}

/** Run `fn` and return the AssayError it throws (fails the test if it does not throw one). */
export async function caught(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { name?: string; code?: string; message: string };
    expect(err.name).toBe("AssayError");
    return { code: err.code ?? "", message: err.message };
  }
  return expect.fail("expected an AssayError");
}

/** Share of the k listed neighbours of each row in `approx` that are among its k in `exact` (recall@k). */
export function recallAt(approx: Int32Array, exact: Int32Array, n: number, k: number): number {
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const truth = new Set(exact.subarray(i * k, (i + 1) * k));
    for (let c = 0; c < k; c++) if (truth.has(approx[i * k + c]!)) hit++;
  }
  return hit / (n * k);
}
