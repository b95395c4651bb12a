import { describe, expect, it } from "vitest";
import { hashUniform, splitmix64 } from "./hash.js";

describe("splitmix64 / hashUniform", () => {
  it("splitmix64 gives the reference SplitMix64 stream for seed 0", () => {
    expect(splitmix64(0n)).toBe(0xe220a8397b1dcdafn);
    expect(splitmix64(0x9e3779b97f4a7c15n)).toBe(0x6e789e6aa1b965f4n);
  });
  it("hashUniform matches a Python transcription bit for bit and is stateless", () => {
    const cases: [number, number, number][] = [
      [0, 0, 0.6524484863740322],
      [0, 1, 0.03401170130434639],
      [42, 7, 0.08603176010658542],
      [42, -3, 0.6007971723545243],
      [123456789, 2 ** 40, 0.9856527269578994],
    ];
    for (const [seed, key, want] of cases) expect(hashUniform(seed, key)).toBe(want);
    expect(hashUniform(42, 7)).toBe(hashUniform(42, 7));
    for (let key = 0; key < 1000; key++) {
      const u = hashUniform(5, key);
      expect(u > 0 && u < 1).toBe(true);
    }
  });
});
