import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { colourStats, decodeImage } from "./image.js";
import { resizeGray, resizeRgb } from "./preprocess.js";
import { caught, pngHeaderOnly, rawPng, solidImage } from "./test-utils.js";

describe("decodeImage", () => {
  it("decodes 8-bit RGB, RGBA, gray and gray+alpha with their channel counts", async () => {
    const rgb = await decodeImage(await solidImage(5, 4, [10, 20, 30]));
    expect(rgb).toMatchObject({ width: 5, height: 4, channels: 3, bitDepth: 8 });
    expect(Array.from(rgb.data.subarray(0, 3))).toEqual([10, 20, 30]);

    const rgba = await decodeImage(await rawPng(new Uint8Array(4 * 4 * 4).fill(200), 4, 4, 4));
    expect(rgba).toMatchObject({ channels: 4, bitDepth: 8 });

    const grayPx = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    const gray = await decodeImage(await rawPng(grayPx, 4, 3, 1));
    expect(gray).toMatchObject({ width: 4, height: 3, channels: 1 });
    expect(Array.from(gray.data)).toEqual(Array.from(grayPx));

    const ga = new Uint8Array(12 * 2);
    for (let p = 0; p < 12; p++) {
      ga[2 * p] = 100;
      ga[2 * p + 1] = p * 10;
    }
    const grayAlpha = await decodeImage(await rawPng(ga, 4, 3, 2));
    expect(grayAlpha.channels).toBe(2);
    expect(Array.from(grayAlpha.data.subarray(0, 6))).toEqual([100, 0, 100, 10, 100, 20]);
  });

  it("keeps 16-bit PNGs 16-bit", async () => {
    const px = Uint16Array.from({ length: 12 }, (_, i) => i * 5000);
    const png = await sharp(px, { raw: { width: 4, height: 3, channels: 1 } }).toColourspace("grey16").png().toBuffer();
    const img = await decodeImage(png);
    expect(img).toMatchObject({ width: 4, height: 3, channels: 1, bitDepth: 16 });
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(img.data)).toEqual(Array.from(px));
  });

  it("converts CMYK JPEG to sRGB", async () => {
    const cmyk = await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 200, g: 40, b: 40 } } }).toColourspace("cmyk").jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const img = await decodeImage(cmyk);
    expect(img.channels).toBe(3);
    const [r, g, b] = Array.from(img.data.subarray(0, 3));
    expect(r!).toBeGreaterThan(150);
    expect(g!).toBeLessThan(100);
    expect(b!).toBeLessThan(100);
  });

  it("applies EXIF orientation", async () => {
    const jpg = await sharp({ create: { width: 8, height: 4, channels: 3, background: "#808080" } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpg);
    expect([img.width, img.height]).toEqual([4, 8]);
  });

  it("rejects an empty file, a non-image and a truncated JPEG with IO_ERROR and a reason", async () => {
    const empty = await caught(() => decodeImage(new Uint8Array(0), { name: "empty.png" }));
    expect(empty.code).toBe("IO_ERROR");
    expect(empty.details).toMatchObject({ file: "empty.png", reason: "the file is empty (0 bytes)" });

    const text = await caught(() => decodeImage(Buffer.from("hello, not an image"), { name: "notes.png" }));
    expect(text.code).toBe("IO_ERROR");
    expect(text.details?.reason).toBe("not a supported image format");

    const jpg = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#336699" } }).jpeg().toBuffer();
    const truncated = await caught(() => decodeImage(jpg.subarray(0, Math.floor(jpg.length / 2)), { name: "cut.jpg" }));
    expect(truncated.code).toBe("IO_ERROR");
    expect(truncated.message).toContain("cut.jpg");
  });

  it("refuses a PNG whose header claims 100000×100000 before decoding, and honours maxPixels", async () => {
    const bomb = await caught(() => decodeImage(pngHeaderOnly(100000, 100000), { name: "bomb.png" }));
    expect(bomb.code).toBe("IO_ERROR");
    expect(bomb.details?.reason).toContain("100000×100000 = 10000000000 pixels, over the limit of 268402689");

    const small = await solidImage(20, 20, [1, 2, 3]);
    const limited = await caught(() => decodeImage(small, { maxPixels: 399 }));
    expect(limited.details?.reason).toContain("over the limit of 399");
    await expect(decodeImage(small, { maxPixels: 400 })).resolves.toMatchObject({ width: 20 });
  });

  it("reads a path and names it in errors", async () => {
    const e = await caught(() => decodeImage("/nonexistent/dir/x.png"));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.details?.file).toBe("/nonexistent/dir/x.png");
  });
});

describe("resizeGray / resizeRgb / colourStats", () => {
  const img4 = {
    width: 4,
    height: 4,
    channels: 1 as const,
    bitDepth: 8 as const,
    data: Uint8Array.from([0, 255, 0, 255, 0, 255, 0, 255, 255, 255, 0, 0, 255, 255, 0, 0]),
  };

  it("area-averages 4×4 to 2×2 exactly", () => {
    const out = resizeGray(img4, 2, 2);
    expect(Array.from(out)).toEqual([0.5, 0.5, 1, 0]);
  });

  it("handles non-integer ratios with coverage weights (3 → 2)", () => {
    const row = { width: 3, height: 1, channels: 1 as const, bitDepth: 8 as const, data: Uint8Array.from([0, 255, 51]) };
    const out = resizeGray(row, 2, 1);
    // out0 = (1·0 + 0.5·255)/1.5, out1 = (0.5·255 + 1·51)/1.5, over 255
    expect(out[0]).toBeCloseTo(1 / 3, 6);
    expect(out[1]).toBeCloseTo((0.5 * 255 + 51) / 1.5 / 255, 6);
  });

  it("uses BT.601 luma for colour and keeps RGB in resizeRgb", () => {
    const px = { width: 1, height: 1, channels: 3 as const, bitDepth: 8 as const, data: Uint8Array.from([255, 0, 0]) };
    expect(resizeGray(px, 1, 1)[0]).toBeCloseTo(0.299, 6);
    expect(Array.from(resizeRgb(px, 2, 2))).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]);
    expect(Array.from(resizeRgb(img4, 1, 1))).toEqual([0.5, 0.5, 0.5]);
  });

  it("computes per-channel mean and population std", () => {
    const s = colourStats(img4);
    expect(Array.from(s)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const px16 = { width: 2, height: 1, channels: 3 as const, bitDepth: 16 as const, data: Uint16Array.from([65535, 0, 0, 0, 0, 0]) };
    expect(Array.from(colourStats(px16))).toEqual([0.5, 0, 0, 0.5, 0, 0]);
  });
});
