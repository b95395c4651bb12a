/**
 * Generic numerics that belong in @assay/math (listed for the lead to move there).
 * @module
 */

/**
 * Round half to even on the binary value, like Python's `round(x)`: 0.5 → 0, 1.5 → 2, 2.5 → 2.
 * (`Math.round` rounds halves up.) `x − floor(x)` is exact for doubles, so only true halves tie.
 */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
