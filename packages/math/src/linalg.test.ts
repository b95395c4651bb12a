import { describe, expect, it } from "vitest";
import {
  backSolveTransposed,
  choleskyInPlace,
  choleskyWithJitter,
  dot,
  forwardSolve,
  invertLower,
  lowerQuadNorm,
  singularValues,
  singularValuesOfRows,
  tallSkinnyR,
} from "./linalg.js";
import { Mt19937 } from "./rng.js";
import { expectClose } from "./test-helpers.js";

// numpy 1.24.2 references (np.linalg.cholesky / inv / solve / svd), pasted as literals.
const A = Float64Array.from([4, 2, 0.6, 2, 5, 1.5, 0.6, 1.5, 3]);
const L_NP = [2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.3, 0.6, 1.5968719422671311];
const b = [1, -2, 0.5];

describe("Cholesky and triangular solves", () => {
  it("choleskyInPlace equals numpy's factor and zeroes the upper triangle", () => {
    const a = Float64Array.from(A);
    a[1] = 99; // upper triangle is ignored
    expect(choleskyInPlace(a, 3)).toBe(true);
    expectClose(a, L_NP, 1e-15);
  });
  it("rejects an indefinite matrix; jitter rescues a singular PSD one", () => {
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
    const singular = Float64Array.from([1, 1, 1, 1]);
    expect(choleskyInPlace(Float64Array.from(singular), 2)).toBe(false);
    const l = choleskyWithJitter(singular, 2)!;
    expect(l).not.toBeNull();
    expect(l[0]! * l[0]!).toBeCloseTo(1, 9);
    expect(choleskyWithJitter(Float64Array.from([-1, 0, 0, -1]), 2)).toBeNull();
  });
  it("invertLower, forwardSolve, backSolveTransposed and lowerQuadNorm match numpy", () => {
    const L = choleskyWithJitter(A, 3)!;
    expectClose(invertLower(L, 3), [0.5, 0.0, 0.0, -0.25, 0.5, 0.0, 0.0, -0.18786728732554486, 0.6262242910851495], 1e-15);
    expectClose(forwardSolve(L, 3, b, new Float64Array(3)), [0.5, -1.25, 0.6888467201936646], 1e-15);
    expectClose(backSolveTransposed(L, 3, b, new Float64Array(3)), [1.0, -1.0939336436627725, 0.31311214554257477], 1e-15);
    // bᵀA⁻¹b = ‖L⁻¹b‖²
    expect(lowerQuadNorm(invertLower(L, 3), 3, [7, ...b], 1)).toBeCloseTo(2.2870098039215687, 14);
    // in-place (aliasing) solve
    const x = Float64Array.from(b);
    expectClose(forwardSolve(L, 3, x, x), [0.5, -1.25, 0.6888467201936646], 1e-15);
  });
  it("dot uses offsets and handles lengths not divisible by 4", () => {
    const x = [9, 1, 2, 3, 4, 5, 6, 7];
    const y = [1, 1, 1, 1, 1, 1, 1];
    expect(dot(x, 1, y, 0, 7)).toBe(28);
    expect(dot(x, 2, x, 3, 5)).toBe(2 * 3 + 3 * 4 + 4 * 5 + 5 * 6 + 6 * 7);
    expect(dot(x, 0, y, 0, 0)).toBe(0);
  });
});

describe("singular values", () => {
  it("singularValues of a 5×3 matrix match numpy", () => {
    const M = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 10, 1, 0, 1, 2, -1, 0]);
    expectClose(singularValues(M, 5, 3), [17.455133726198813, 2.4113952875923044, 0.7095628002471345], 1e-12);
    expect(singularValues(new Float64Array(0), 0, 3).length).toBe(0);
  });
  it("tall-skinny QR over many blocks: R's |diagonal| and the singular values match numpy", () => {
    // X = RandomState(0).random_sample((700, 5)); X[:, 4] = 2·X[:, 0] − X[:, 1] (rank 4)
    const rng = new Mt19937(0);
    const X = new Float64Array(700 * 5);
    for (let i = 0; i < X.length; i++) X[i] = rng.random();
    for (let i = 0; i < 700; i++) X[i * 5 + 4] = 2 * X[i * 5]! - X[i * 5 + 1]!;
    const row = (i: number, out: Float64Array): void => out.set(X.subarray(i * 5, i * 5 + 5));
    const { r, rows } = tallSkinnyR(700, 5, row);
    expect(rows).toBe(5);
    for (let x = 0; x < 5; x++) for (let c = 0; c < x; c++) expect(r[x * 5 + c]).toBe(0);
    expectClose(Array.from({ length: 4 }, (_, x) => Math.abs(r[x * 6]!)), [15.132170528870402, 9.925577862619178, 9.130222821364143, 9.035702765243775], 1e-11);
    const s = singularValuesOfRows(700, 5, row);
    expectClose(s.subarray(0, 4), [31.86152911866511, 15.843424844118077, 7.855304300593343, 7.65415528553037], 1e-11);
    expect(s[4]!).toBeLessThan(1e-12);
  });
});
