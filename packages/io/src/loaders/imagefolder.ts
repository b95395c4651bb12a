import { createDataset, type Dataset } from "@assay/core";
import { realpath } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { invalidInput } from "../errors.js";
import { type FsPath, extname, listDir, pathText, resolveClassList } from "../files.js";
import { type CommonLoadOptions, IMAGE_EXTENSIONS, absText, fileImages, salt } from "./common.js";

/** Options of {@link loadImageFolder}. */
export interface ImageFolderOptions extends CommonLoadOptions {
  /**
   * Treat top-level `train/ test/ val/ …` folders as splits: `"auto"` (default) does so when every
   * top-level folder has a split name (train, test, val, valid, validation, dev); `true` forces it;
   * `false` treats top-level folders as classes.
   */
  splits?: boolean | "auto";
  /** Extensions (lower case, with the dot) counted as images (default: png, jpg/jpeg, webp, tiff, gif, avif). */
  extensions?: readonly string[];
}

const SPLIT_NAMES = new Set(["train", "test", "val", "valid", "validation", "dev"]);

interface Row {
  path: FsPath;
  id: string;
  className: string | undefined;
  split: string | undefined;
}

/**
 * Load an image folder: one sub-folder per class, images found recursively inside it; images lying
 * directly in the root (or a split folder) are unlabeled. Classes are the class folder names sorted
 * (or `options.classes`); rows are sorted by path; ids are paths relative to `root`.
 */
export async function loadImageFolder(root: string, options: ImageFolderOptions = {}): Promise<Dataset> {
  const extensions = new Set((options.extensions ?? [...IMAGE_EXTENSIONS]).map((e) => e.toLowerCase()));
  const top = await listDir(root);
  if (top.length === 0) throw invalidInput(`${root} is an empty folder; expected class folders with images`, { file: root });
  const topDirs = top.filter((e) => e.kind === "dir");
  const useSplits =
    options.splits === true || (options.splits !== false && topDirs.length > 0 && topDirs.every((d) => SPLIT_NAMES.has(d.text.toLowerCase())));

  const rows: Row[] = [];
  const classNames = new Set<string>();
  let otherFiles = 0;

  // Real paths of the folders already walked, so symlink loops are walked once.
  const visited = new Set<string>();
  const collect = async (dir: FsPath, rel: string, className: string | undefined, split: string | undefined) => {
    const real = await realpath(dir, { encoding: "buffer" }).then((r) => r.toString("hex"), () => undefined);
    if (real !== undefined) {
      if (visited.has(real)) return;
      visited.add(real);
    }
    for (const entry of await listDir(dir)) {
      const id = rel ? `${rel}/${entry.text}` : entry.text;
      if (entry.kind === "dir") {
        await collect(entry.path, id, className, split);
      } else if (extensions.has(extname(entry.text))) {
        rows.push({ path: entry.path, id, className, split });
      } else {
        otherFiles++;
      }
    }
  };

  const scanClassLevel = async (dir: FsPath, rel: string, split: string | undefined) => {
    for (const entry of await listDir(dir)) {
      const id = rel ? `${rel}/${entry.text}` : entry.text;
      if (entry.kind === "dir") {
        classNames.add(entry.text);
        await collect(entry.path, id, entry.text, split);
      } else if (extensions.has(extname(entry.text))) {
        rows.push({ path: entry.path, id, className: undefined, split });
      } else {
        otherFiles++;
      }
    }
  };

  if (useSplits) {
    for (const entry of top) {
      if (entry.kind === "dir") await scanClassLevel(entry.path, entry.text, entry.text);
      else if (extensions.has(extname(entry.text))) rows.push({ path: entry.path, id: entry.text, className: undefined, split: undefined });
      else otherFiles++;
    }
  } else {
    await scanClassLevel(root, "", undefined);
  }

  if (rows.length === 0) {
    throw invalidInput(
      `${root} holds no images (${otherFiles} other file${otherFiles === 1 ? "" : "s"}); looked for ${[...extensions].join(", ")}`,
      { file: root, otherFiles },
    );
  }

  const given = await resolveClassList(options.classes);
  const classes = given ?? [...classNames].sort();
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const anyLabel = rows.some((r) => r.className !== undefined);
  const labels = rows.map((r) => {
    if (r.className === undefined) return -1;
    const k = classIndex.get(r.className);
    if (k === undefined) {
      throw invalidInput(`class folder "${r.className}" (${r.id}) is not in the given classes [${classes.join(", ")}]`, {
        file: pathText(r.path),
        class: r.className,
      });
    }
    return k;
  });
  const { images, imageBytes } = fileImages(
    rows.map((r) => r.path),
    options,
  );
  return createDataset({
    name: options.name ?? basename(resolve(root)),
    ids: rows.map((r) => r.id),
    ...(anyLabel ? { labels, classes } : classes.length > 0 ? { classes } : {}),
    sources: rows.map((r) => absText(r.path)),
    ...(useSplits ? { splits: rows.map((r) => r.split) } : {}),
    images,
    imageBytes,
    fingerprintSalt: salt("imagefolder", root),
  });
}
