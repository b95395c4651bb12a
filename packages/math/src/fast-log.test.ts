import { describe, expect, it } from "vitest";
import { logFloat32, logFloat32Bits } from "./fast-log.js";

describe("logFloat32 (fast log for float32 inputs)", () => {
  it("agrees with Math.log to ≤ 1e-12 relative (≤ 3e-16 absolute near 1) over the float32 range", () => {
    const f = new Float32Array(1);
    let worstRel = 0;
    let worstAbs = 0;
    let s = 99;
    for (let t = 0; t < 200000; t++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      f[0] = t % 2 ? s / 2 ** 32 : 2 ** -(s % 120) * (1 + (s >>> 8) / 2 ** 24);
      const p = f[0]!;
      if (!(p > 0)) continue;
      const want = Math.log(p);
      const got = logFloat32(p);
      worstAbs = Math.max(worstAbs, Math.abs(got - want));
      if (Math.abs(want) > 1e-3) worstRel = Math.max(worstRel, Math.abs(got - want) / Math.abs(want));
    }
    expect(worstRel).toBeLessThan(1e-12);
    expect(worstAbs).toBeLessThan(1e-13);
    for (const p of [1, 0.5, 2 ** -126, 2 ** -149, 1 - 2 ** -24, 1e-6]) {
      expect(Math.abs(logFloat32(Math.fround(p)) - Math.log(Math.fround(p)))).toBeLessThan(3e-16 * Math.max(1, Math.abs(Math.log(p))));
    }
  });

  it("falls back to Math.log outside the positive normal range and reads bit patterns directly", () => {
    expect(logFloat32(0)).toBe(-Infinity);
    expect(logFloat32(-1)).toBeNaN();
    expect(logFloat32(Infinity)).toBe(Infinity);
    expect(logFloat32(Number.NaN)).toBeNaN();
    expect(logFloat32(2 ** -140)).toBe(Math.log(2 ** -140)); // subnormal float32
    expect(logFloat32Bits(0x3f800000)).toBe(0); // 1.0
    expect(logFloat32Bits(0x40000000)).toBeCloseTo(Math.LN2, 15); // 2.0
  });
});
