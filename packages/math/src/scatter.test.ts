import { describe, expect, it } from "vitest";
import { centredScatter } from "./scatter.js";

describe("centredScatter", () => {
  it("matches the two-pass definition on a subset (odd count exercises the tail)", () => {
    const d = 3;
    const data = Float32Array.from([1, 2, 3, 4, 0, -1, 2, 2, 2, 0.5, 7, -3, 9, 1, 1, -2, 4, 0.25]);
    const m = { rows: 6, cols: d, data };
    const rows = [5, 0, 2, 3, 1];
    const r = centredScatter(m, rows);
    expect(r.count).toBe(5);
    const mu = [0, 0, 0];
    for (const i of rows) for (let j = 0; j < d; j++) mu[j]! += data[i * d + j]! / rows.length;
    for (let j = 0; j < d; j++) expect(r.mean[j]).toBeCloseTo(mu[j]!, 12);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (const i of rows) s += (data[i * d + a]! - mu[a]!) * (data[i * d + b]! - mu[b]!);
        expect(r.scatter[a * d + b]).toBeCloseTo(s, 10);
      }
    }
  });
  it("all rows by default; rejects a bad row index", () => {
    const m = { rows: 2, cols: 1, data: Float32Array.from([1, 3]) };
    expect(Array.from(centredScatter(m).scatter)).toEqual([2]);
    expect(() => centredScatter(m, [0, 2])).toThrow(/outside/);
  });
});
