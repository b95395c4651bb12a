/*
 * Stateless hashing to uniforms: SplitMix64 (BigInt) and a (seed, key) → (0, 1) hash. Unlike the
 * streams in rng.ts these need no state, so a sample's draw depends only on its id.
 */

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 finaliser of a 64-bit value (BigInt in, BigInt out, both in [0, 2⁶⁴)). */
export function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * A deterministic uniform in (0, 1) for the pair (seed, key): SplitMix64 of the seed, mixed with the
 * key and hashed again; the top 53 bits are used, and 0 maps to 2⁻⁵⁴ so the value is never 0.
 */
export function hashUniform(seed: number, key: number): number {
  const s = splitmix64(BigInt.asUintN(64, BigInt(Math.trunc(seed))));
  const h = splitmix64(s ^ BigInt.asUintN(64, BigInt(Math.trunc(key))));
  const top = Number(h >> 11n);
  return top === 0 ? 2 ** -54 : top / 9007199254740992;
}
