/**
 * Synthetic images of the duplicates spec (duplicates.md §11, D3): shared by this package's tests and
 * exported so other lenses can build the same fixtures. CHW uint8 layout.
 */
import type { ChwImage } from "./image.js";

/** The spec's base image `S` (3×64×64 uint8). */
export function specImageS(): ChwImage {
  const v = new Float64Array(64 * 64);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      let val = Math.floor((255 * (x + y)) / 126);
      if (y >= 16 && y < 40 && x >= 20 && x < 48) val = 230;
      if ((x - 44) ** 2 + (y - 44) ** 2 < 100) val = 20;
      v[y * 64 + x] = val;
    }
  }
  const data = new Uint8Array(3 * 64 * 64);
  for (let i = 0; i < 4096; i++) {
    data[i] = v[i]!;
    data[4096 + i] = Math.floor((3 * v[i]!) / 4);
    data[8192 + i] = 255 - v[i]!;
  }
  return { channels: 3, height: 64, width: 64, data };
}

/** The spec's checkerboard-ramp image `Q` (3 identical channels, 64×64). */
export function specImageQ(): ChwImage {
  const data = new Uint8Array(3 * 4096);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const val = ((Math.floor(x / 8) + Math.floor(y / 8)) % 2) * 200 + 20 + x;
      for (let c = 0; c < 3; c++) data[c * 4096 + y * 64 + x] = val;
    }
  }
  return { channels: 3, height: 64, width: 64, data };
}

/** Apply `f(value, c, y, x)` to every value of a CHW uint8 image, clipping to 0…255. */
export function mapImage(img: ChwImage, f: (v: number, c: number, y: number, x: number) => number): ChwImage {
  const { channels: C, height: H, width: W } = img;
  const data = new Uint8Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = c * H * W + y * W + x;
        data[i] = Math.max(0, Math.min(255, f(img.data[i] as number, c, y, x)));
      }
  return { channels: C, height: H, width: W, data };
}

/** numpy `rot90` (counter-clockwise) of every channel of a CHW image. */
export function rotate90(img: ChwImage): ChwImage {
  const { channels: C, height: H, width: W } = img;
  const data = new Uint8Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < W; i++) for (let j = 0; j < H; j++) data[c * H * W + i * H + j] = img.data[c * H * W + j * W + (W - 1 - i)] as number;
  return { channels: C, height: W, width: H, data };
}

/** Mirror the columns of every channel. */
export function mirror(img: ChwImage): ChwImage {
  return mapImage(img, (_v, c, y, x) => img.data[c * img.height * img.width + y * img.width + (img.width - 1 - x)] as number);
}

/** CHW → interleaved HWC bytes (the layout of core's RasterImage). */
export function toHwc(img: ChwImage): Uint8Array {
  const { channels: C, height: H, width: W } = img;
  const out = new Uint8Array(C * H * W);
  for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) out[i * C + c] = img.data[c * H * W + i] as number;
  return out;
}
