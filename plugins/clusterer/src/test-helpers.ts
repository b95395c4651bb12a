/**
 * Point sets of clusterer.md's test cases, shared by the tests (not exported from the package).
 * @internal
 */
import type { Float32Matrix } from "@assay/core";

/** Group A of the spec (10 points). */
export const A = [
  [0, 0], [1.02, 0.11], [2.05, 0.27], [2.97, 0.58], [4.01, 0.93], [0.18, 1.52], [1.31, 1.69], [2.23, 1.41], [3.12, 1.88], [4.43, 1.57],
];
/** Group B of the spec (10 points). */
export const B = [
  [20.3, 0.7], [21.35, 0.79], [22.31, 1.01], [23.29, 1.24], [24.36, 1.68], [20.46, 2.25], [21.58, 2.37], [22.57, 2.09], [23.41, 2.61], [24.69, 2.3],
];
/** Rows → Float32Matrix. */
export const mat = (rows: number[][]): Float32Matrix => ({ rows: rows.length, cols: rows[0]?.length ?? 0, data: Float32Array.from(rows.flat()) });
/** Case C1: A ++ B ++ a far point. */
export const C1 = (): Float32Matrix => mat([...A, ...B, [60, 40]]);
/** Case C2: C1 plus a near copy of point 0. */
export const C2 = (): Float32Matrix => mat([...A, ...B, [60, 40], [0.01, 0.005]]);
