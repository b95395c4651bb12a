import type { RasterImage } from "@assay/core";

/**
 * An image in channels-first layout (`data[c * height * width + y * width + x]`), the layout the
 * DataEval definitions use. Values may be any number, including NaN (a missing pixel).
 */
export interface ChwImage {
  channels: number;
  height: number;
  width: number;
  data: ArrayLike<number>;
}

/**
 * A strided read-only view of pixels, so interleaved (HWC) rasters and planar (CHW) arrays are
 * read without a copy. Value of channel c at (y, x): `data[c * cs + y * ys + x * xs]`.
 * @internal
 */
export interface PixelSource {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: ArrayLike<number>;
  readonly cs: number;
  readonly ys: number;
  readonly xs: number;
  /** Largest possible value when every value is a non-negative integer (uint8/uint16 rasters), else -1. */
  readonly integerLevels: number;
}

/** A view on a decoded {@link RasterImage} (interleaved HWC). @internal */
export function rasterSource(image: RasterImage): PixelSource {
  return {
    channels: image.channels,
    height: image.height,
    width: image.width,
    data: image.data,
    cs: 1,
    ys: image.width * image.channels,
    xs: image.channels,
    integerLevels: image.bitDepth === 16 ? 65535 : 255,
  };
}

/** A view on a {@link ChwImage}; integer typed arrays get the fast counting path. @internal */
export function chwSource(image: ChwImage): PixelSource {
  const { channels, height, width, data } = image;
  const levels = data instanceof Uint8Array || data instanceof Uint8ClampedArray ? 255 : data instanceof Uint16Array ? 65535 : -1;
  return { channels, height, width, data, cs: height * width, ys: width, xs: 1, integerLevels: levels };
}

/** An axis-aligned region in float pixel coordinates, corners (x0, y0) and (x1, y1). */
export interface XyxyBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The integer crop window of a region (image-stats-linter.md §0.2): `floor(x0)…ceil(x1)` and
 * `floor(y0)…ceil(y1)`, at least one pixel each way. Pixels outside the image read as NaN.
 * @internal
 */
export interface CropWindow {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** @internal */
export function cropWindow(box: XyxyBox): CropWindow {
  const left = Math.floor(box.x0);
  const top = Math.floor(box.y0);
  return { left, top, width: Math.max(1, Math.ceil(box.x1) - left), height: Math.max(1, Math.ceil(box.y1) - top) };
}

/**
 * The cropped region as a planar CHW Float64Array with NaN outside the image — DataEval's "region
 * image", whose bytes the exact hash digests. @internal
 */
export function regionToFloat64(src: PixelSource, win: CropWindow): Float64Array {
  const { channels, height: H, width: W, data, cs, ys, xs } = src;
  const out = new Float64Array(channels * win.width * win.height);
  const inside = win.left >= 0 && win.top >= 0 && win.left + win.width <= W && win.top + win.height <= H;
  if (inside && xs === channels && cs === 1 && (data instanceof Uint8Array || data instanceof Uint16Array)) {
    // interleaved raster, window inside the image: one tight de-interleaving loop per channel
    const plane = win.width * win.height;
    for (let c = 0; c < channels; c++) {
      let o = c * plane;
      for (let y = 0; y < win.height; y++) {
        let i = (win.top + y) * ys + win.left * channels + c;
        for (let x = 0; x < win.width; x++, i += channels) out[o++] = data[i]!;
      }
    }
    return out;
  }
  let o = 0;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < win.height; y++) {
      const sy = win.top + y;
      const rowInside = sy >= 0 && sy < H;
      for (let x = 0; x < win.width; x++) {
        const sx = win.left + x;
        out[o++] = rowInside && sx >= 0 && sx < W ? (data[c * cs + sy * ys + sx * xs] as number) : Number.NaN;
      }
    }
  }
  return out;
}
