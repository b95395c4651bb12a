import { createDataset, type Dataset, type RasterImage } from "@assay/core";
import { DataType, type Table, type Vector, tableFromIPC } from "apache-arrow";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import { invalidInput, ioError, messageOf } from "../errors.js";
import { readBytes, resolveClassList } from "../files.js";
import { type DecodeOptions, decodeBytes } from "../image.js";
import { type CommonLoadOptions, fileImages, salt } from "./common.js";
import { type RawLabel, resolveLabels } from "./labels.js";

/** Options of {@link loadArrow}. */
export interface ArrowOptions extends CommonLoadOptions {
  /** Folder that relative image paths are resolved against (default: the Arrow file's folder). */
  root?: string;
  /** Column of encoded image bytes (binary, or a struct with `bytes`/`path` as Hugging Face writes it). Default: image, img, bytes or image_bytes. */
  imageColumn?: string;
  /** Column of image paths (default: the first of path, file, filename, file_name, image_path). */
  pathColumn?: string;
  /** Single-label column (default: label, class, category or target). */
  labelColumn?: string;
  /** Multi-label column, a list per row (default: labels or tags). */
  labelsColumn?: string;
  /** Split column (default `split`). */
  splitColumn?: string;
  /** Id column (default `id`, when present; otherwise paths, otherwise row numbers). */
  idColumn?: string;
}

/** Read an Arrow IPC file or stream into a table; errors name the file. */
export async function readArrowTable(file: string): Promise<Table> {
  const bytes = await readBytes(file);
  try {
    return tableFromIPC(bytes);
  } catch (error) {
    throw invalidInput(`${file} is not an Arrow IPC file or stream: ${messageOf(error)}`, { file }, error);
  }
}

function scalar(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value === null || value === undefined || typeof value !== "object") return value;
  if (value instanceof Uint8Array) return undefined;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  return typeof json === "function" ? json.call(value) : undefined;
}

/**
 * Load an Apache Arrow IPC table (file or stream format, e.g. `.arrow`/`.feather` v2): one row per
 * image, images either embedded as bytes or referenced by path, plus label/labels/split columns;
 * other scalar columns become `meta`. Dictionary-encoded or string labels are class names.
 */
export async function loadArrow(file: string, options: ArrowOptions = {}): Promise<Dataset> {
  const table = await readArrowTable(file);
  const n = table.numRows;
  if (n === 0) throw invalidInput(`${file} has no rows`, { file });
  const names = table.schema.fields.map((f) => f.name);
  const pick = (explicit: string | undefined, candidates: string[], what: string) => {
    if (explicit !== undefined) {
      if (!names.includes(explicit)) throw invalidInput(`${file} has no ${what} column "${explicit}" (columns: ${names.join(", ")})`, { file, column: explicit });
      return explicit;
    }
    return candidates.find((c) => names.includes(c));
  };
  const col = (name: string | undefined): Vector | undefined => (name === undefined ? undefined : (table.getChild(name) ?? undefined));
  const imageCol = pick(options.imageColumn, ["image", "img", "bytes", "image_bytes"], "image");
  const imageType = imageCol === undefined ? undefined : table.schema.fields.find((f) => f.name === imageCol)!.type;
  const pathCol = pick(options.pathColumn, ["path", "file", "filename", "file_name", "image_path"], "path");
  const labelCol = pick(options.labelColumn, ["label", "class", "category", "target"], "label");
  const labelsCol = labelCol === undefined ? pick(options.labelsColumn, ["labels", "tags"], "labels") : undefined;
  const splitCol = pick(options.splitColumn, ["split"], "split");
  const idCol = pick(options.idColumn, ["id"], "id");
  const root = resolve(options.root ?? dirname(file));

  // Where each row's image comes from: embedded bytes, or a path.
  const bytesOf: (Uint8Array | undefined)[] = new Array(n);
  const pathOf: (string | undefined)[] = new Array(n);
  const imageVector = col(imageCol);
  const pathVector = col(pathCol);
  for (let i = 0; i < n; i++) {
    if (imageVector && imageType) {
      const v = imageVector.get(i) as unknown;
      if (DataType.isBinary(imageType) || DataType.isLargeBinary(imageType) || DataType.isFixedSizeBinary(imageType)) {
        bytesOf[i] = (v as Uint8Array | null) ?? undefined;
      } else if (DataType.isStruct(imageType) && v) {
        const row = v as { bytes?: Uint8Array | null; path?: string | null };
        bytesOf[i] = row.bytes ?? undefined;
        if (!bytesOf[i] && row.path) pathOf[i] = row.path;
      } else if (DataType.isUtf8(imageType) || DataType.isLargeUtf8(imageType)) {
        pathOf[i] = (v as string | null) ?? undefined;
      }
    }
    if (!bytesOf[i] && !pathOf[i] && pathVector) pathOf[i] = (pathVector.get(i) as string | null) ?? undefined;
  }
  const hasImages = bytesOf.some((b) => b) || pathOf.some((p) => p);
  const absPaths = pathOf.map((p) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(root, p)));

  const idVector = col(idCol);
  const ids = Array.from({ length: n }, (_, i) => {
    const v = idVector?.get(i);
    if (v !== null && v !== undefined) return String(v);
    const p = absPaths[i];
    return p ? relative(root, p).split("\\").join("/") : String(i);
  });

  const used = new Set([imageCol, pathCol, labelCol, labelsCol, splitCol, idCol]);
  const metaCols = names.filter((c) => !used.has(c));
  const meta = Array.from({ length: n }, (_, i) => {
    const m: Record<string, unknown> = {};
    for (const c of metaCols) {
      const v = scalar(table.getChild(c)!.get(i));
      if (v !== undefined) m[c] = v;
    }
    return m;
  });

  const splitVector = col(splitCol);
  const splits = splitVector ? Array.from({ length: n }, (_, i) => (splitVector.get(i) as string | null) ?? undefined) : undefined;

  const decodeOptions: DecodeOptions = {};
  if (options.maxPixels !== undefined) decodeOptions.maxPixels = options.maxPixels;
  if (options.failOn !== undefined) decodeOptions.failOn = options.failOn;
  const files = fileImages(absPaths.map((p) => p ?? ""), options);
  const imageBytes = async (i: number): Promise<Uint8Array> => {
    const b = bytesOf[i];
    if (b) return b;
    if (absPaths[i]) return files.imageBytes(i);
    throw ioError(`row ${i} of ${file} has no image`, { file, index: i, reason: "no image bytes or path" });
  };
  const images = async (i: number): Promise<RasterImage> => {
    const b = bytesOf[i];
    if (!b) return absPaths[i] ? files.images(i) : imageBytes(i).then(() => undefined as never);
    try {
      return await decodeBytes(b, `${file}#${i}`, decodeOptions);
    } catch (error) {
      throw ioError(messageOf(error), { ...((error as { details?: object }).details ?? {}), index: i }, error);
    }
  };

  const given = await resolveClassList(options.classes);
  const base = {
    name: options.name ?? basename(file).replace(/\.[^.]+$/, ""),
    ids,
    meta,
    ...(absPaths.every((p) => p !== undefined) ? { sources: absPaths as string[] } : {}),
    ...(splits ? { splits } : {}),
    ...(hasImages ? { images, imageBytes } : {}),
    fingerprintSalt: salt("arrow", root, { table: resolve(file) }),
  };
  const labelVector = col(labelCol);
  const labelsVector = col(labelsCol);
  const rowName = (r: number) => `row ${r}`;
  if (labelVector) {
    const raw = Array.from({ length: n }, (_, i) => [labelVector.get(i) as RawLabel]);
    const { classes, indices } = resolveLabels(raw, given, file, rowName);
    return createDataset({ ...base, classes, labels: indices.map((l) => l[0] ?? -1) });
  }
  if (labelsVector) {
    const raw = Array.from({ length: n }, (_, i) => {
      const v = labelsVector.get(i) as { toArray(): ArrayLike<unknown> } | null;
      return v ? (Array.from(v.toArray()) as RawLabel[]) : [];
    });
    const { classes, indices } = resolveLabels(raw, given, file, rowName);
    return createDataset({ ...base, classes, multiLabels: indices.map((l) => [...new Set(l)].sort((a, b) => a - b)) });
  }
  return createDataset({ ...base, ...(given ? { classes: given } : {}) });
}
