import { describe, expect, it } from "vitest";
import {
  backSolveTransposed,
  choleskyInPlace,
  choleskyWithJitter,
  dot,
  forwardSolve,
  invertLower,
  JACOBI_MAX_SWEEPS,
  lowerQuadNorm,
  orthogonalizeRows,
  singularValues,
  singularValuesOfRows,
  tallSkinnyR,
  symmetricEigenvalues,
} from "./linalg.js";
import { Mt19937 } from "./rng.js";
import { caught, expectClose } from "./test-helpers.js";

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

describe("singular values: bounded one-sided Jacobi", () => {
  // Built like coverage's isotropy input that made ml-matrix's SVD loop forever: R of the tall-skinny QR
  // of [1 | X] for a 12×16 X whose only non-zero columns (1, 6, 12, 14) hold quarter-step "pixel"
  // values — X = RandomState(2): column c is live when random_sample() < 4/16, then
  // floor(4·random_sample())/4 row by row. ml-matrix 6.15 never returns on the raw block R[:, 1:].
  function hardCase(): { X: Float64Array; raw: Float64Array; centred: Float64Array; rows: number } {
    const n = 12;
    const d = 16;
    const rng = new Mt19937(2);
    const live: number[] = [];
    for (let c = 0; c < d; c++) if (rng.random() < 4 / d) live.push(c);
    const X = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (const c of live) X[i * d + c] = Math.floor(rng.random() * 4) / 4;
    const p = d + 1;
    const { r, rows } = tallSkinnyR(n, p, (i, out) => {
      out[0] = 1;
      out.set(X.subarray(i * d, (i + 1) * d), 1);
    });
    const raw = new Float64Array(rows * d);
    for (let x = 0; x < rows; x++) for (let c = 0; c < d; c++) raw[x * d + c] = r[x * p + c + 1]!;
    const centred = new Float64Array((rows - 1) * d);
    for (let x = 1; x < rows; x++) for (let c = 0; c < d; c++) centred[(x - 1) * d + c] = r[x * p + c + 1]!;
    return { X, raw, centred, rows };
  }

  it("returns numpy's singular values on the matrix that hung ml-matrix", () => {
    const { X, raw, centred, rows } = hardCase();
    expect(rows).toBe(12);
    // np.linalg.svd(X, compute_uv=False) and of X − X.mean(0) (numpy 2.4)
    const sX = [2.7648637713827733, 1.0999234572056222, 0.8835988630940145, 0.7432696436171884];
    const sXc = [1.1374788296754812, 1.0965143919070717, 0.8413550510801363, 0.6283932779207911];
    const s = singularValues(raw, 12, 16);
    expect(s.length).toBe(12);
    expectClose(s.subarray(0, 4), sX, 1e-13);
    for (let i = 4; i < 12; i++) expect(s[i]!).toBeLessThan(1e-14);
    const sc = singularValues(centred, 11, 16);
    expectClose(sc.subarray(0, 4), sXc, 1e-13);
    for (let i = 4; i < 11; i++) expect(sc[i]!).toBeLessThan(1e-14);
    // the same values straight from X (wide path) and from its transpose (tall path)
    expectClose(singularValues(X, 12, 16).subarray(0, 4), sX, 1e-13);
    const Xt = new Float64Array(16 * 12);
    for (let i = 0; i < 12; i++) for (let c = 0; c < 16; c++) Xt[c * 12 + i] = X[i * 16 + c]!;
    expectClose(singularValues(Xt, 16, 12).subarray(0, 4), sX, 1e-13);
  });

  it("scales: values of 1e-200 and 1e200 matrices are exact multiples", () => {
    const M = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 10, 1, 0, 1, 2, -1, 0]);
    const ref = [17.455133726198813, 2.4113952875923044, 0.7095628002471345];
    for (const f of [1e-200, 1e200]) {
      const s = singularValues(M.map((v) => v * f), 5, 3);
      for (let i = 0; i < 3; i++) expect(Math.abs(s[i]! / f - ref[i]!)).toBeLessThan(1e-12);
    }
    expectClose(singularValues(new Float64Array(6), 2, 3), [0, 0], 0);
  });

  it("throws INVALID_INPUT instead of looping when the sweep cap is reached, and on NaN", async () => {
    const rng = new Mt19937(1);
    const a = Float64Array.from({ length: 8 * 8 }, () => rng.random());
    const err = await caught(() => orthogonalizeRows(Float64Array.from(a), 8, 8, 1));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(/did not converge after 1 sweeps/);
    const norms = orthogonalizeRows(Float64Array.from(a), 8, 8);
    expect(norms.length).toBe(8);
    expect((await caught(() => singularValues(Float64Array.from([1, Number.NaN, 0, 1]), 2, 2))).message).toMatch(/entry \(0, 1\) is NaN/);
    expect(JACOBI_MAX_SWEEPS).toBe(60);
  });
});

describe("symmetricEigenvalues / singularValues of symmetric matrices", () => {
  it("eigenvalues of a scatter BᵀB equal the squared singular values of B (Jacobi route) to 1e-12 relative", () => {
    const rng = new Mt19937(21);
    const n = 300;
    const d = 40;
    const B = Float64Array.from({ length: n * d }, (_, t) => (rng.random() - 0.5) * (1 + (t % d) / 4));
    const S = new Float64Array(d * d);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a * d + b]! += B[i * d + a]! * B[i * d + b]!;
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) S[a * d + b] = S[b * d + a]!;
    const sv = singularValues(B, n, d);
    const ev = singularValues(S, d, d);
    const top = sv[0]! * sv[0]!;
    expectClose(ev, Array.from(sv, (s) => s * s), 1e-12 * top);
    expectClose(symmetricEigenvalues(S, d), Array.from(sv, (s) => s * s).reverse(), 1e-12 * top);
  });
  it("handles indefinite, diagonal, 1×1 and 2×2 inputs", () => {
    expectClose(symmetricEigenvalues(Float64Array.of(2, 1, 1, 2), 2), [1, 3], 1e-15);
    expectClose(symmetricEigenvalues(Float64Array.of(-4), 1), [-4], 0);
    expectClose(symmetricEigenvalues(Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 2), 3), [-1, 2, 3], 1e-15);
    expectClose(singularValues(Float64Array.of(0, 2, 2, 0), 2, 2), [2, 2], 1e-15);
  });
});
