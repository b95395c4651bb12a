import type { Dataset } from "@assay/core";
import { basename, join } from "node:path";
import { AssayError } from "@assay/core";
import { invalidInput, PLUGIN } from "./errors.js";
import { kindOf, listDir, readBytes } from "./files.js";
import { type ArrowOptions, loadArrow } from "./loaders/arrow.js";
import { type IdxOptions, type NpyLoadOptions, loadIdx, loadNpy } from "./loaders/arrays.js";
import { type CocoOptions, loadCoco } from "./loaders/coco.js";
import { type ImageFolderOptions, loadImageFolder } from "./loaders/imagefolder.js";
import { type ManifestOptions, loadManifest } from "./loaders/manifest.js";
import { type VocOptions, loadVoc } from "./loaders/voc.js";

/** The dataset formats {@link loadDataset} reads. */
export type DatasetFormat = "imagefolder" | "csv" | "jsonl" | "coco" | "voc" | "idx" | "npy" | "arrow";

/** Every format's options in one object; each loader reads the ones it knows. */
export type LoadOptions = ImageFolderOptions &
  ManifestOptions &
  CocoOptions &
  VocOptions &
  IdxOptions &
  NpyLoadOptions &
  ArrowOptions & {
    /** The format; detected from the path when left out (see {@link detectFormat}). */
    format?: DatasetFormat;
  };

const IDX_NAME = /idx[1-9][-_.]ubyte(\.gz)?$|\.idx[1-9]?(\.gz)?$/i;

/**
 * Guess a dataset's format from its path:
 * - files: `.csv` → csv, `.jsonl`/`.ndjson` → jsonl, `.json` → coco, `.npy` → npy,
 *   `.arrow`/`.feather`/`.ipc`/`.arrows` → arrow, `*-idx3-ubyte[.gz]` → idx;
 * - folders: `Annotations/` + `JPEGImages/` → voc, `*-images-idx3-ubyte[.gz]` files → idx,
 *   `images.npy` → npy, one `*.json` in `annotations/` → coco, otherwise imagefolder.
 *
 * Throws `INVALID_INPUT` for a missing path or a file of unknown type.
 */
export async function detectFormat(path: string): Promise<DatasetFormat> {
  const kind = await kindOf(path);
  if (kind === undefined) throw invalidInput(`${path} does not exist`, { file: path });
  if (kind === "file") {
    const name = basename(path).toLowerCase();
    if (name.endsWith(".csv")) return "csv";
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return "jsonl";
    if (name.endsWith(".json")) return "coco";
    if (name.endsWith(".npy")) return "npy";
    if (/\.(arrow|arrows|feather|ipc)$/.test(name)) return "arrow";
    if (IDX_NAME.test(name)) return "idx";
    const head = (await readBytes(path)).subarray(0, 8);
    if (head[0] === 0x93 && head[1] === 0x4e) return "npy";
    if (head[0] === 0x41 && head[1] === 0x52 && head[2] === 0x52 && head[3] === 0x4f && head[4] === 0x57) return "arrow";
    throw invalidInput(
      `cannot tell the dataset format of ${path}; pass format (imagefolder, csv, jsonl, coco, voc, idx, npy, arrow) or point at a folder`,
      { file: path },
    );
  }
  if (kind !== "dir") throw invalidInput(`${path} is neither a file nor a folder`, { file: path });
  const entries = await listDir(path);
  const names = new Set(entries.map((e) => e.text));
  if (names.has("Annotations") && names.has("JPEGImages")) return "voc";
  if (entries.some((e) => e.kind === "file" && /images[-_.]idx3[-_.]ubyte(\.gz)?$/i.test(e.text))) return "idx";
  if (names.has("images.npy")) return "npy";
  if (names.has("annotations") && (await kindOf(join(path, "annotations"))) === "dir") {
    const jsons = (await listDir(join(path, "annotations"))).filter((e) => e.kind === "file" && e.text.endsWith(".json"));
    if (jsons.length === 1) return "coco";
  }
  return "imagefolder";
}

/**
 * Load a dataset from a file or folder into a core {@link Dataset}. The format is `options.format`
 * or {@link detectFormat}'s guess. Images are not decoded here: `dataset.image(i)` reads and decodes
 * one file at a time. Errors are `INVALID_INPUT` or `IO_ERROR` AssayErrors naming the file.
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<Dataset> {
  const format = options.format ?? (await detectFormat(path));
  if ((await kindOf(path)) === undefined) throw invalidInput(`${path} does not exist`, { file: path });
  switch (format) {
    case "imagefolder":
      return loadImageFolder(path, options);
    case "csv":
    case "jsonl":
      return loadManifest(path, format, options);
    case "coco": {
      let file = path;
      if ((await kindOf(path)) === "dir") {
        const jsons = (await listDir(join(path, "annotations"))).filter((e) => e.kind === "file" && e.text.endsWith(".json"));
        if (jsons.length !== 1) throw invalidInput(`${path}/annotations must hold exactly one .json file to load as COCO (found ${jsons.length}); pass the file`, { file: path });
        file = join(path, "annotations", jsons[0]!.text);
      }
      return loadCoco(file, options);
    }
    case "voc":
      return loadVoc(path, options);
    case "idx":
      return loadIdx(path, options);
    case "npy":
      return loadNpy(path, options);
    case "arrow":
      return loadArrow(path, options);
    default:
      throw new AssayError("INVALID_OPTION", `unknown dataset format "${String(format)}"; use imagefolder, csv, jsonl, coco, voc, idx, npy or arrow`, {
        plugin: PLUGIN,
        details: { options: ["format"], format },
      });
  }
}
