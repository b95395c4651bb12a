import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import fixture from "./fixtures/fidelity.json" with { type: "json" };

/** Spearman correlation of two equal-length arrays without ties. */
function spearman(a: readonly number[], b: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(v.length);
    order.forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += (ra[i]! - rb[i]!) ** 2;
  return 1 - (6 * s) / (n * (n * n - 1));
}

describe("CI-18 fidelity fixture (SVD reference leverages, generated offline by scripts/make-fidelity-fixture.py)", () => {
  it("preset dataheroes, maxDim ∞, ρ = 1e-9 reproduces each class's order (Spearman 1) and values to 1e-6", () => {
    const index = CoresetIndex.build({ rows: fixture.rows, cols: fixture.cols, data: fixture.x }, fixture.y, {
      preset: "dataheroes",
      maxDim: Number.POSITIVE_INFINITY,
      ridge: 1e-9,
    });
    const h = index.leverageScores();
    for (let c = 0; c < 3; c++) {
      const rows = fixture.y.map((v, i) => (v === c ? i : -1)).filter((i) => i >= 0);
      const mine = rows.map((i) => h[i]!);
      const ref = rows.map((i) => fixture.leverage[i]!);
      expect(spearman(mine, ref)).toBe(1);
      for (let t = 0; t < rows.length; t++) expect(Math.abs(mine[t]! - ref[t]!)).toBeLessThan(1e-6);
      // Within a class, importance (β = 0) orders rows exactly as leverage does.
      const imp = rows.map((i) => index.scores(i).importance);
      expect(spearman(imp, ref)).toBe(1);
    }
  });
});
