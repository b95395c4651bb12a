/**
 * A small, portable, incremental 64-bit hash (two 32-bit multiply-xorshift lanes, after cyrb53).
 * Used for dataset fingerprints and cache keys; it is not a cryptographic hash.
 */
export class Hasher {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  /** Mix a string (UTF-16 code units) into the hash. */
  string(value: string): this {
    this.number(value.length);
    for (let i = 0; i < value.length; i++) this.mix(value.charCodeAt(i));
    return this;
  }

  /** Mix a number (its float64 bit pattern) into the hash. */
  number(value: number): this {
    scratch[0] = value;
    this.mix(scratchWords[0]!);
    this.mix(scratchWords[1]!);
    return this;
  }

  /** Mix raw bytes (any typed array view) into the hash. */
  bytes(view: ArrayBufferView): this {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    this.number(bytes.length);
    const words = Math.floor(bytes.length / 4);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < words; i++) this.mix(dv.getUint32(i * 4, true));
    for (let i = words * 4; i < bytes.length; i++) this.mix(bytes[i]!);
    return this;
  }

  /** The hash as 16 lowercase hex digits. */
  digest(): string {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
  }

  private mix(word: number): void {
    this.h1 = Math.imul(this.h1 ^ word, 2654435761);
    this.h2 = Math.imul(this.h2 ^ word, 1597334677);
    this.h1 = (this.h1 << 13) | (this.h1 >>> 19);
    this.h2 = (this.h2 << 17) | (this.h2 >>> 15);
  }
}

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** Hash one string to 16 hex digits. */
export function hashString(value: string): string {
  return new Hasher().string(value).digest();
}

/**
 * JSON with object keys sorted, typed arrays as plain arrays, and non-finite numbers as strings, so
 * equal values always give equal text (used to hash options).
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (value === undefined || typeof value === "function") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (v) => normalise(v));
  if (Array.isArray(value)) return value.map((v) => normalise(v) ?? null);
  if (value instanceof Map) return normalise(Object.fromEntries(value));
  if (value instanceof Set) return normalise([...value]);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = normalise((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
