import { describe, expect, it } from "vitest";
import {
  assertFinite, columnMeans, columnVariances, fromRows, getRow, l2Normalize, matmul, matmulTransposeB, matrix,
  selectRows, standardize, transpose,
} from "./matrix.js";
import { caught, expectClose, uniformMatrix } from "./test-helpers.js";

describe("matrices", () => {
  const m = fromRows([[1, 2, 3], [4, 5, 6]]);
  it("builds, views and selects rows", () => {
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    const r = getRow(m, 1);
    expect(Array.from(r)).toEqual([4, 5, 6]);
    r[0] = 40; // a view: writes go through
    expect(m.data[3]).toBe(40);
    r[0] = 4;
    expect(Array.from(selectRows(m, [1, 1, 0]).data)).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
    expect(Array.from(transpose(m).data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(matrix(2, 2).data.length).toBe(4);
  });
  it("column means and variances (numpy ddof 0 / 1)", () => {
    expectClose(columnMeans(m), [2.5, 3.5, 4.5], 0);
    expectClose(columnVariances(m), [2.25, 2.25, 2.25], 1e-15);
    expectClose(columnVariances(m, 1), [4.5, 4.5, 4.5], 1e-15);
  });
  it("l2Normalize and standardize", () => {
    const n = l2Normalize(fromRows([[3, 4], [0, 0]]));
    expectClose(n.data, [0.6, 0.8, 0, 0], 1e-7);
    const s = standardize(fromRows([[1, 5], [3, 5]]));
    expectClose(s.data, [-1, 0, 1, 0], 1e-7); // constant column → 0
  });
  it("matmul and matmulTransposeB agree with a naive product", () => {
    const a = uniformMatrix(1, 37, 70);
    const b = uniformMatrix(2, 70, 45);
    const c = matmul(a, b);
    const bt = transpose(b);
    const c2 = matmulTransposeB(a, bt);
    for (let i = 0; i < 37; i++) {
      for (let j = 0; j < 45; j++) {
        let s = 0;
        for (let p = 0; p < 70; p++) s += a.data[i * 70 + p]! * b.data[p * 45 + j]!;
        expect(Math.abs(c.data[i * 45 + j]! - s)).toBeLessThan(1e-5);
        expect(Math.abs(c2.data[i * 45 + j]! - s)).toBeLessThan(1e-5);
      }
    }
  });
});

describe("bad input", () => {
  it("NaN/Inf: the error names row and column", async () => {
    const bad = fromRows([[1, 2], [3, Number.NaN]]);
    const e = await caught(() => assertFinite(bad, "embeddings"));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("embeddings");
    expect(e.message).toContain("row 1, column 1");
    const inf = fromRows([[Infinity, 0]]);
    expect((await caught(() => assertFinite(inf))).message).toContain("row 0, column 0");
  });
  it("dimension mismatch", async () => {
    const e = await caught(() => matmul(matrix(2, 3), matrix(2, 3)));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("dimension mismatch");
    expect((await caught(() => matmulTransposeB(matrix(2, 3), matrix(2, 4)))).code).toBe("INVALID_INPUT");
  });
  it("ragged rows, wrong data length, row out of range", async () => {
    expect((await caught(() => fromRows([[1, 2], [3]]))).message).toContain("row 1");
    expect((await caught(() => matrix(2, 2, [1, 2, 3]))).code).toBe("INVALID_INPUT");
    expect((await caught(() => getRow(m2(), 5))).code).toBe("INVALID_INPUT");
  });
});

function m2() {
  return matrix(2, 2);
}
