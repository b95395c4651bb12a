import { describe, expect, it } from "vitest";
import { invertSquare } from "./linalg.js";
import { roundHalfEven } from "./rounding.js";
import { markSmallestNumpy, markSmallestStable, numpyArgsort, selectKth } from "./selection.js";
import { argsortStable } from "./stats.js";

describe("selection", () => {
  it("roundHalfEven matches numpy", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, 2, 3, -3]);
  });
  it("selectKth returns the k-th smallest value", () => {
    const v = [5, 1, 4, 1, 3, 9, 2, 6];
    const sorted = [...v].sort((a, b) => a - b);
    for (let k = 0; k < v.length; k++) expect(selectKth(Float64Array.from(v), k)).toBe(sorted[k]);
  });
  it("markSmallestStable equals a stable argsort prefix (heap and quickselect paths, many ties)", () => {
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    const scratch = new Float64Array(500).fill(-1);
    for (let trial = 0; trial < 40; trial++) {
      const n = 50 + Math.floor(rnd() * 400);
      const v = Float64Array.from({ length: n }, () => Math.floor(rnd() * 12) / 4);
      for (const c of [1, 3, Math.floor(n / 20), Math.floor(n / 3), n - 1]) {
        const got: number[] = [];
        markSmallestStable(v, c, (i) => got.push(i));
        const want = Array.from(argsortStable(v).slice(0, c)).sort((a, b) => a - b);
        expect(got.sort((a, b) => a - b)).toEqual(want);
        // the same with a reused scratch buffer (longer than needed, holding another call's leftovers)
        const inScratch: number[] = [];
        markSmallestStable(v, c, (i) => inScratch.push(i), scratch);
        expect(inScratch.sort((a, b) => a - b)).toEqual(want);
      }
    }
  });
  it("invertSquare (partial pivoting; singular → NaN)", () => {
    const inv = invertSquare([4, 7, 2, 6], 2);
    expect(Array.from(inv).map((x) => +x.toFixed(12))).toEqual([0.6, -0.7, -0.2, 0.4]);
    const p = invertSquare([0, 1, 1, 0], 2);
    expect(Array.from(p)).toEqual([0, 1, 1, 0]);
    expect(Array.from(invertSquare([1, 2, 2, 4], 2)).every(Number.isNaN)).toBe(true);
  });
});

describe("numpyArgsort", () => {
  it("sorts and is stable below 17 elements", () => {
    const v = [3, 1, 2, 1, 3, 0, 1];
    expect(Array.from(numpyArgsort(v))).toEqual([5, 1, 3, 6, 2, 0, 4]);
  });
  it("sorts long arrays with ties (order of equal values is numpy's, values ascending)", () => {
    let s = 3;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    const v = Float64Array.from({ length: 5000 }, () => Math.floor(rnd() * 50));
    const o = numpyArgsort(v);
    for (let i = 1; i < o.length; i++) expect(v[o[i]!]! >= v[o[i - 1]!]!).toBe(true);
    expect(new Set(o).size).toBe(5000);
  });
  it("reproduces numpy 1.24's tie order on a fixed array", () => {
    // np.argsort(np.array([(i * 7) % 5 for i in range(20)], dtype=float)) with numpy 1.24.2
    const v = Array.from({ length: 20 }, (_, i) => (i * 7) % 5);
    expect(Array.from(numpyArgsort(v))).toEqual(NUMPY_REF);
  });
});

const NUMPY_REF = [0, 15, 5, 10, 3, 8, 18, 13, 1, 16, 6, 11, 14, 9, 4, 19, 7, 2, 17, 12];
// np.argsort(np.array([((i * 37) % 101) % 13 for i in range(300)], dtype=float)) with numpy 1.24.2
const NUMPY_REF_300 = [0, 185, 157, 28, 143, 199, 202, 42, 216, 129, 230, 14, 101, 115, 244, 70, 286, 84, 272, 56, 171, 98, 258, 141, 54, 99, 40, 127, 155, 71, 169, 113, 85, 68, 12, 287, 186, 242, 172, 26, 200, 273, 256, 214, 270, 228, 257, 170, 83, 285, 97, 271, 240, 111, 125, 226, 139, 212, 142, 198, 156, 69, 243, 184, 299, 24, 41, 10, 38, 55, 25, 196, 168, 95, 53, 154, 39, 140, 126, 109, 210, 213, 182, 112, 227, 269, 255, 8, 283, 11, 67, 297, 81, 241, 284, 138, 281, 298, 152, 267, 225, 166, 253, 180, 183, 197, 124, 23, 239, 211, 37, 9, 65, 79, 82, 96, 110, 51, 49, 251, 80, 150, 153, 223, 52, 21, 209, 167, 94, 35, 195, 136, 254, 237, 181, 108, 282, 122, 66, 296, 268, 7, 193, 50, 207, 92, 294, 165, 22, 120, 221, 64, 123, 36, 224, 266, 137, 252, 106, 78, 280, 238, 5, 151, 19, 179, 62, 191, 264, 194, 222, 90, 250, 6, 295, 20, 292, 236, 208, 278, 76, 149, 163, 177, 48, 121, 93, 107, 34, 135, 161, 220, 18, 234, 147, 105, 248, 178, 133, 265, 60, 4, 46, 279, 119, 63, 293, 77, 262, 206, 91, 32, 164, 192, 2, 89, 249, 117, 30, 134, 75, 291, 263, 235, 176, 277, 190, 47, 61, 131, 232, 16, 148, 162, 218, 103, 33, 204, 174, 45, 219, 261, 275, 73, 59, 160, 188, 132, 17, 3, 233, 31, 87, 146, 247, 118, 205, 104, 289, 189, 276, 290, 116, 1, 29, 130, 217, 57, 175, 43, 15, 102, 144, 88, 259, 74, 203, 158, 231, 245, 229, 114, 201, 58, 13, 288, 145, 72, 159, 187, 44, 215, 27, 100, 260, 274, 173, 128, 246, 86];

describe("numpy tie order on 300 values with heavy ties", () => {
  const v = Array.from({ length: 300 }, (_, i) => ((i * 37) % 101) % 13);
  it("numpyArgsort equals numpy", () => {
    expect(Array.from(numpyArgsort(v))).toEqual(NUMPY_REF_300);
  });
  it("markSmallestNumpy equals numpy's argsort prefix", () => {
    for (const c of [1, 7, 23, 24, 25, 150, 299]) {
      const got: number[] = [];
      markSmallestNumpy(v, c, (i) => got.push(i));
      expect(got.sort((a, b) => a - b)).toEqual(NUMPY_REF_300.slice(0, c).sort((a, b) => a - b));
    }
  });
});
