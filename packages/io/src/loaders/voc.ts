import { type Box, createDataset, type Dataset } from "@assay/core";
import { XMLParser } from "fast-xml-parser";
import { basename, join, resolve } from "node:path";
import { invalidInput, messageOf } from "../errors.js";
import { kindOf, listDir, readText, resolveClassList } from "../files.js";
import { type CommonLoadOptions, fileImages, salt } from "./common.js";

/** Options of {@link loadVoc}. */
export type VocOptions = CommonLoadOptions;

const SPLITS = ["train", "val", "test"] as const;

/**
 * Load a Pascal VOC folder (`Annotations/*.xml`, `JPEGImages/`, optional `ImageSets/Main/{train,val,test}.txt`,
 * or `trainval.txt` when train/val lists are absent) as a detection dataset. Boxes are converted from
 * VOC's corners to `{x: xmin, y: ymin, width: xmax − xmin, height: ymax − ymin}` (pixel coordinates as
 * written). Classes are the object names sorted (or `options.classes`). `meta` holds `width`, `height`
 * and per-box `difficult` and `truncated` flags. Rows are the annotation files sorted by name.
 */
export async function loadVoc(root: string, options: VocOptions = {}): Promise<Dataset> {
  const annDir = join(root, "Annotations");
  const xmlFiles = (await listDir(annDir)).filter((e) => e.kind === "file" && e.text.toLowerCase().endsWith(".xml"));
  if (xmlFiles.length === 0) throw invalidInput(`${annDir} holds no .xml annotation files`, { file: annDir });
  const parser = new XMLParser({ isArray: (name) => name === "object", parseTagValue: false, ignoreAttributes: true });

  interface Parsed {
    stem: string;
    file: string;
    width: number | undefined;
    height: number | undefined;
    objects: { name: string; x: number; y: number; width: number; height: number; difficult: boolean; truncated: boolean }[];
  }
  const parsed: Parsed[] = [];
  for (const entry of xmlFiles) {
    const file = join(annDir, entry.text);
    const fail = (field: string, why: string) => invalidInput(`${file}: VOC field "${field}" ${why}`, { file, field });
    let doc: Record<string, unknown>;
    try {
      doc = parser.parse(await readText(file), true) as Record<string, unknown>;
    } catch (error) {
      if ((error as { code?: string }).code) throw error;
      throw invalidInput(`${file} is not valid XML: ${messageOf(error)}`, { file }, error);
    }
    const ann = doc.annotation as Record<string, unknown> | undefined;
    if (!ann || typeof ann !== "object") throw fail("annotation", "is missing (no <annotation> root element)");
    const num = (value: unknown, field: string, required: boolean): number | undefined => {
      if (value === undefined || value === "") {
        if (required) throw fail(field, "is missing");
        return undefined;
      }
      const n = Number(value);
      if (!Number.isFinite(n)) throw fail(field, `is ${JSON.stringify(value)}, not a number`);
      return n;
    };
    const size = (ann.size ?? {}) as Record<string, unknown>;
    const objects = ((ann.object ?? []) as Record<string, unknown>[]).map((o, k) => {
      if (typeof o !== "object" || o === null) throw fail(`object[${k}]`, "is not an element");
      const name = typeof o.name === "string" ? o.name.trim() : "";
      if (!name) throw fail(`object[${k}].name`, "is missing");
      const bb = o.bndbox as Record<string, unknown> | undefined;
      if (!bb || typeof bb !== "object") throw fail(`object[${k}].bndbox`, "is missing");
      const xmin = num(bb.xmin, `object[${k}].bndbox.xmin`, true)!;
      const ymin = num(bb.ymin, `object[${k}].bndbox.ymin`, true)!;
      const xmax = num(bb.xmax, `object[${k}].bndbox.xmax`, true)!;
      const ymax = num(bb.ymax, `object[${k}].bndbox.ymax`, true)!;
      return { name, x: xmin, y: ymin, width: xmax - xmin, height: ymax - ymin, difficult: String(o.difficult) === "1", truncated: String(o.truncated) === "1" };
    });
    const stem = entry.text.replace(/\.xml$/i, "");
    const filename = typeof ann.filename === "string" && ann.filename.trim() ? ann.filename.trim() : `${stem}.jpg`;
    parsed.push({ stem, file: filename, width: num(size.width, "size.width", false), height: num(size.height, "size.height", false), objects });
  }

  const given = await resolveClassList(options.classes);
  const classes = given ?? [...new Set(parsed.flatMap((p) => p.objects.map((o) => o.name)))].sort();
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const boxes: Box[][] = parsed.map((p) =>
    p.objects.map((o) => {
      const label = classIndex.get(o.name);
      if (label === undefined) {
        throw invalidInput(`${join(annDir, `${p.stem}.xml`)}: object class "${o.name}" is not in the given classes`, { file: join(annDir, `${p.stem}.xml`), class: o.name });
      }
      return { x: o.x, y: o.y, width: o.width, height: o.height, label };
    }),
  );

  // Splits from ImageSets/Main; a row listed in several lists keeps the first of train, val, test.
  const setDir = join(root, "ImageSets", "Main");
  const splitOf = new Map<string, string>();
  const lists: string[] = [];
  for (const s of SPLITS) if ((await kindOf(join(setDir, `${s}.txt`))) === "file") lists.push(s);
  if (!lists.includes("train") && !lists.includes("val") && (await kindOf(join(setDir, "trainval.txt"))) === "file") lists.unshift("trainval");
  for (const s of lists) {
    const text = await readText(join(setDir, `${s}.txt`));
    for (const line of text.split(/\r?\n/)) {
      const stem = line.trim().split(/\s+/)[0];
      if (stem && !splitOf.has(stem)) splitOf.set(stem, s);
    }
  }

  const paths = parsed.map((p) => resolve(root, "JPEGImages", p.file));
  const { images, imageBytes } = fileImages(paths, options);
  return createDataset({
    name: options.name ?? basename(resolve(root)),
    classes,
    boxes,
    ids: parsed.map((p) => `JPEGImages/${p.file}`),
    sources: paths,
    meta: parsed.map((p) => ({
      ...(p.width ? { width: p.width } : {}),
      ...(p.height ? { height: p.height } : {}),
      difficult: p.objects.map((o) => o.difficult),
      truncated: p.objects.map((o) => o.truncated),
    })),
    ...(lists.length > 0 ? { splits: parsed.map((p) => splitOf.get(p.stem)) } : {}),
    images,
    imageBytes,
    fingerprintSalt: salt("voc", root),
  });
}
