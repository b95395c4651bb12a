import { describe, expect, it } from "vitest";
import { createRng, Mt19937, numpyPermutation } from "./rng.js";
import { caught, expectClose } from "./test-helpers.js";

// Reference values: scripts/reference.py with numpy 1.24.2 (Debian /usr/bin/python3), pasted as literals.
describe("Mt19937 (numpy RandomState)", () => {
  it("raw outputs match MT19937 legacy seeding", () => {
    const a = new Mt19937(0);
    // spec datalab-issues.md §3.4 lists the first five; numpy bit generator random_raw(8)
    expect(Array.from({ length: 8 }, () => a.nextUint32())).toEqual([2357136044, 2546248239, 3071714933, 3626093760, 2588848963, 3684848379, 2340255427, 3638918503]);
    const b = new Mt19937(123456789);
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual([2288500408, 4254805660, 2294099250, 56498137, 2188513626]);
  });
  it("random_sample, randint and standard_normal match", () => {
    const r = new Mt19937(7);
    expect(Array.from({ length: 6 }, () => r.random())).toEqual([0.07630828937395717, 0.7799187922401146, 0.4384092314408935, 0.7234651778309412, 0.9779895119966027, 0.5384958704104337]);
    const i = new Mt19937(7);
    expect(Array.from({ length: 12 }, () => i.randint(0, 10))).toEqual([4, 9, 6, 3, 3, 7, 7, 9, 7, 8, 9, 8]);
    const j = new Mt19937(7);
    expect(Array.from({ length: 6 }, () => j.randint(5, 1000003))).toEqual([585908, 189641, 573982, 535035, 759368, 839896]);
    const g = new Mt19937(7);
    expectClose(Array.from({ length: 5 }, () => g.normal()), [1.690525703800356, -0.4659373705408328, 0.0328201636785844, 0.40751628299650783, -0.7889230286257386], 1e-15);
  });
  it("permutations match RandomState.permutation (spec non-IID vectors)", () => {
    const r = new Mt19937(0);
    expect(Array.from(r.permutation(10))).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    expect(Array.from(r.permutation(10))).toEqual([3, 5, 1, 2, 9, 8, 0, 6, 7, 4]);
    expect(Array.from(numpyPermutation(20, 3))).toEqual([14, 2, 1, 17, 4, 16, 6, 7, 15, 12, 9, 11, 19, 18, 13, 5, 0, 8, 3, 10]);
    const p = numpyPermutation(1000, 0);
    expect(Array.from(p.subarray(0, 12))).toEqual([993, 859, 298, 553, 672, 971, 27, 231, 306, 706, 496, 558]);
    let weighted = 0;
    for (let t = 0; t < 1000; t++) weighted += p[t]! * (t + 1);
    expect(weighted).toBe(248372140); // np.sum(perm * np.arange(1, 1001))
  });
  it("rejects an out-of-range seed", async () => {
    expect((await caught(() => new Mt19937(-1))).code).toBe("INVALID_OPTION");
    expect((await caught(() => new Mt19937(2 ** 32))).code).toBe("INVALID_OPTION");
  });
});

describe("createRng (xoshiro128**)", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });
  it("random() is uniform in [0,1), int(n) unbiased, normal() standard", () => {
    const r = createRng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.random();
      s += u;
      s2 += u * u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005); // sd of the mean ≈ 0.00065
    expect(Math.abs(s2 / n - s * s / n / n - 1 / 12)).toBeLessThan(0.002);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // ≈ 5 sd
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      m += z;
      v += z * z;
    }
    expect(Math.abs(m / n)).toBeLessThan(0.01);
    expect(Math.abs(v / n - 1)).toBeLessThan(0.02);
  });
  it("shuffle is a permutation", () => {
    const arr = Int32Array.from({ length: 100 }, (_, i) => i);
    createRng(5).shuffle(arr);
    expect(Array.from(arr).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(arr)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
  it("rejects bad int bounds", async () => {
    expect((await caught(() => createRng(0).int(0))).code).toBe("INVALID_INPUT");
  });
});
