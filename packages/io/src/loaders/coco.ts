import { type Box, createDataset, type Dataset, z } from "@assay/core";
import { basename, dirname, join, resolve } from "node:path";
import { invalidInput, messageOf } from "../errors.js";
import { kindOf, readText } from "../files.js";
import { type CommonLoadOptions, fileImages, salt } from "./common.js";

/** Options of {@link loadCoco}. */
export interface CocoOptions extends Omit<CommonLoadOptions, "classes"> {
  /**
   * Folder the `file_name`s are relative to. Default: the first of `<json dir>/images`,
   * `<json dir>/../<name without "instances_">` (the COCO layout) and `<json dir>` that holds the first image.
   */
  imageRoot?: string;
}

const id = z.union([z.number(), z.string()]);
const schema = z.object({
  images: z.array(
    z.looseObject({
      id,
      file_name: z.string().min(1),
      width: z.number().int().positive().optional(),
      height: z.number().int().positive().optional(),
    }),
  ),
  annotations: z
    .array(
      z.looseObject({
        id: id.optional(),
        image_id: id,
        category_id: id,
        bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        iscrowd: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
      }),
    )
    .optional(),
  categories: z.array(z.looseObject({ id, name: z.string() })),
});

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

/**
 * Load a COCO instances JSON (`images`, `annotations`, `categories`) as a detection dataset: one row
 * per image, boxes `[x, y, width, height]` in pixels with their category as a class index (categories
 * sorted by id) and `iscrowd`. A malformed file is an `INVALID_INPUT` error whose message and
 * `details.field` name the offending field (e.g. `annotations[3].bbox`). Boxes are kept as given; the
 * `invalidBoxes` detector reports boxes outside their image. `meta` holds `coco_id`, `width`, `height`.
 */
export async function loadCoco(file: string, options: CocoOptions = {}): Promise<Dataset> {
  let json: unknown;
  try {
    json = JSON.parse(await readText(file));
  } catch (error) {
    if ((error as { code?: string }).code) throw error;
    throw invalidInput(`${file} is not valid JSON: ${messageOf(error)}`, { file }, error);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = fieldPath(issue.path) || "(root)";
    throw invalidInput(`${file}: COCO field "${field}" is invalid: ${issue.message}`, { file, field });
  }
  const coco = parsed.data;
  const categories = [...coco.categories].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const catIndex = new Map(categories.map((c, i) => [String(c.id), i]));
  const imageRow = new Map<string, number>();
  coco.images.forEach((img, i) => {
    if (imageRow.has(String(img.id))) throw invalidInput(`${file}: COCO field "images[${i}].id" repeats image id ${img.id}`, { file, field: `images[${i}].id` });
    imageRow.set(String(img.id), i);
  });
  const boxes: Box[][] = coco.images.map(() => []);
  (coco.annotations ?? []).forEach((a, j) => {
    const row = imageRow.get(String(a.image_id));
    if (row === undefined) throw invalidInput(`${file}: COCO field "annotations[${j}].image_id" names image ${a.image_id}, which is not in images`, { file, field: `annotations[${j}].image_id` });
    const label = catIndex.get(String(a.category_id));
    if (label === undefined) {
      throw invalidInput(`${file}: COCO field "annotations[${j}].category_id" names category ${a.category_id}, which is not in categories`, {
        file,
        field: `annotations[${j}].category_id`,
      });
    }
    const [x, y, width, height] = a.bbox;
    const box: Box = { x, y, width, height, label, iscrowd: a.iscrowd === 1 || a.iscrowd === true };
    if (a.id !== undefined) box.id = a.id;
    boxes[row]!.push(box);
  });
  const root = options.imageRoot ?? (await findImageRoot(file, coco.images[0]?.file_name));
  const paths = coco.images.map((img) => resolve(root, img.file_name));
  const { images, imageBytes } = fileImages(paths, options);
  return createDataset({
    name: options.name ?? basename(file).replace(/\.json$/i, ""),
    classes: categories.map((c) => c.name),
    boxes,
    ids: coco.images.map((img) => img.file_name),
    sources: paths,
    meta: coco.images.map((img) => ({ coco_id: img.id, ...(img.width ? { width: img.width } : {}), ...(img.height ? { height: img.height } : {}) })),
    images,
    imageBytes,
    fingerprintSalt: salt("coco", root, { annotations: resolve(file) }),
  });
}

async function findImageRoot(file: string, first: string | undefined): Promise<string> {
  const dir = dirname(resolve(file));
  const stem = basename(file).replace(/\.json$/i, "").replace(/^instances_/, "");
  const candidates = [join(dir, "images"), join(dir, "..", stem), join(dir, "..", "images", stem), dir];
  if (first !== undefined) {
    for (const c of candidates) if ((await kindOf(join(c, first))) === "file") return c;
  }
  return dir;
}
