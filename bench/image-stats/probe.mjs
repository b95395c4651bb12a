// Short probe (seconds): CPU time per image of a sharp decode vs analyseImage on already-decoded rasters,
// repeated 6 times. Usage: node probe.mjs [dir of images] [count]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { analyseImage } from "@assay/linter";
sharp.concurrency(1);
const dir = process.argv[2] ?? "/tmp/assay-bench-image-stats/jpeg-640x480-60";
const n = Number(process.argv[3] ?? 30);
const files = readdirSync(dir).sort().slice(0, n).map((f) => readFileSync(join(dir, f)));
async function decode(bytes) {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const imgs = [];
for (const b of files) imgs.push(await decode(b)); // warm
for (let rep = 0; rep < 6; rep++) {
  let c = cpu();
  for (const b of files) await decode(b);
  const dec = cpu() - c;
  c = cpu();
  for (const im of imgs) analyseImage(im, [], { normalize: true, perChannel: false, hashes: "basic" });
  const an = cpu() - c;
  console.log(`cpu: decode ${(dec / n).toFixed(2)} ms/img, analyse ${(an / n).toFixed(2)} ms/img, ratio ${((dec + an) / dec).toFixed(2)}`);
}
