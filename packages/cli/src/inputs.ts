import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { AssayError, createDataset, type Dataset, type Float32Matrix } from "@assay/core";

/** Where the data of an audit comes from (the `audit` command's path and array options). */
export interface DatasetInputs {
  /** A dataset folder or file for `@assay/io`'s `loadDataset` (format auto-detected). */
  path?: string;
  /** Force the loader: imagefolder, csv, jsonl, coco, voc, idx, npy, arrow. */
  format?: string;
  /** N×H×W[×C] uint8 images `.npy`. */
  images?: string;
  /** Labels `.npy`: N integers (−1 unlabeled) or N×K multi-hot. */
  labels?: string;
  /** N×K predicted probabilities `.npy` (out-of-sample). */
  predProbs?: string;
  /** N×D embeddings `.npy` or Arrow file. */
  embeddings?: string;
  /** Class names: a text file with one name per line (or a JSON array). */
  classes?: string;
}

/** The dataset plus any artifacts supplied as files. */
export interface LoadedInputs {
  dataset: Dataset;
  predProbs?: Float32Matrix;
  embeddings?: Float32Matrix;
}

type IoModule = typeof import("@assay/io");

async function io(): Promise<IoModule> {
  try {
    return await import("@assay/io");
  } catch (error) {
    throw new AssayError("IO_ERROR", `@assay/io, which reads datasets, could not be loaded: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
}

/**
 * Load the dataset named by a path (via `@assay/io`) or built from `.npy` arrays, and read the
 * supplied pred_probs/embeddings, checking every array's row count against the dataset.
 */
export async function loadInputs(inputs: DatasetInputs): Promise<LoadedInputs> {
  const { path, images, labels, classes } = inputs;
  if (path !== undefined && (images !== undefined || labels !== undefined)) {
    throw new AssayError("INVALID_INPUT", `give either a dataset path (${path}) or --images/--labels arrays, not both`);
  }
  if (path === undefined && images === undefined && labels === undefined && inputs.predProbs === undefined && inputs.embeddings === undefined) {
    throw new AssayError("INVALID_INPUT", "no dataset given: pass a path (assay audit ./data) or arrays (--images x.npy --labels y.npy, --pred-probs p.npy, --embeddings e.npy)");
  }
  const lib = await io();
  const classNames = classes === undefined ? undefined : await readClasses(classes);
  const predProbs = inputs.predProbs === undefined ? undefined : await readMatrix(lib, inputs.predProbs, "--pred-probs");
  const embeddings = inputs.embeddings === undefined ? undefined : await lib.readEmbeddings(inputs.embeddings);

  let dataset: Dataset;
  if (path !== undefined) {
    if (classNames) throw new AssayError("INVALID_INPUT", "--classes applies to --images/--labels arrays; a dataset path names its own classes");
    dataset = await lib.loadDataset(path, inputs.format === undefined ? {} : { format: inputs.format as never });
  } else if (images !== undefined) {
    dataset = await lib.loadNpy(images, {
      name: datasetName(images),
      ...(labels === undefined ? {} : { labels }),
      ...(classNames ? { classes: classNames } : {}),
    });
  } else if (labels !== undefined) {
    dataset = await labelsOnly(lib, labels, classNames);
  } else {
    const rows = (predProbs ?? embeddings)!.rows;
    dataset = createDataset({ name: "arrays", size: rows, ...(classNames ? { classes: classNames } : {}) });
  }
  if (predProbs) checkRows(predProbs, dataset, inputs.predProbs!, "--pred-probs");
  if (embeddings) checkRows(embeddings, dataset, inputs.embeddings!, "--embeddings");
  if (predProbs && dataset.classes.length > 0 && predProbs.cols !== dataset.classes.length) {
    throw new AssayError(
      "INVALID_INPUT",
      `${inputs.predProbs} has ${predProbs.cols} columns but the dataset has ${dataset.classes.length} classes; pred_probs needs one column per class`,
      { details: { file: inputs.predProbs, columns: predProbs.cols, classes: dataset.classes.length } },
    );
  }
  return { dataset, ...(predProbs ? { predProbs } : {}), ...(embeddings ? { embeddings } : {}) };
}

async function readClasses(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new AssayError("IO_ERROR", `cannot read --classes ${file}: ${(error as Error).message}`, { details: { file }, cause: error });
  }
  if (extname(file).toLowerCase() === ".json") {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new AssayError("INVALID_INPUT", `--classes ${file} must hold a JSON array of class names`, { details: { file } });
    }
    return value;
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

async function readMatrix(lib: IoModule, file: string, flag: string): Promise<Float32Matrix> {
  const arr = await lib.readNpy(file);
  if (arr.shape.length !== 2) {
    throw new AssayError("INVALID_INPUT", `${flag} ${file} has shape [${arr.shape.join(", ")}]; expected a 2-D [rows, columns] array`, { details: { file } });
  }
  const [rows, cols] = arr.shape as [number, number];
  const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(lib.toNumbers(arr.data));
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new AssayError("INVALID_INPUT", `${flag} ${file} holds ${data[i]} at row ${Math.floor(i / cols)}, column ${i % cols}`, {
        details: { file, row: Math.floor(i / cols), column: i % cols },
      });
    }
  }
  return { rows, cols, data };
}

async function labelsOnly(lib: IoModule, file: string, classes: string[] | undefined): Promise<Dataset> {
  const arr = await lib.readNpy(file);
  const values = lib.toNumbers(arr.data);
  const base = { name: datasetName(file), ...(classes ? { classes } : {}) };
  if (arr.shape.length === 1) {
    const labels = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < -1) {
        throw new AssayError("INVALID_INPUT", `--labels ${file} holds ${v} at row ${i}; labels must be integers ≥ 0 (−1 = unlabeled)`, { details: { file, row: i } });
      }
      labels[i] = v;
    }
    return createDataset({ ...base, labels });
  }
  if (arr.shape.length === 2) {
    const [n, k] = arr.shape as [number, number];
    const multiLabels: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row: number[] = [];
      for (let j = 0; j < k; j++) {
        const v = values[i * k + j]!;
        if (v !== 0 && v !== 1) throw new AssayError("INVALID_INPUT", `--labels ${file} is 2-D but holds ${v} at row ${i}, column ${j}; multi-hot labels must be 0 or 1`, { details: { file, row: i } });
        if (v === 1) row.push(j);
      }
      multiLabels.push(row);
    }
    return createDataset({ classes: Array.from({ length: k }, (_, j) => String(j)), ...base, multiLabels });
  }
  throw new AssayError("INVALID_INPUT", `--labels ${file} has shape [${arr.shape.join(", ")}]; expected [n] or [n, classes]`, { details: { file } });
}

function checkRows(m: Float32Matrix, dataset: Dataset, file: string, flag: string): void {
  if (m.rows !== dataset.size) {
    throw new AssayError("INVALID_INPUT", `${flag} ${file} has ${m.rows} rows but the dataset has ${dataset.size} samples`, {
      details: { file, rows: m.rows, expected: dataset.size },
    });
  }
}

function datasetName(file: string): string {
  return basename(file).replace(/\.[^.]+$/, "");
}
