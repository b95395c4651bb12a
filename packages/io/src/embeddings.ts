import type { Float32Matrix } from "@assay/core";
import { DataType, type Table } from "apache-arrow";
import { extname } from "node:path";
import { invalidInput } from "./errors.js";
import { readArrowTable } from "./loaders/arrow.js";
import { matrixStorage, readNpy, toNumbers, writeNpy } from "./npy.js";

/** Options of {@link readEmbeddings}. */
export interface ReadEmbeddingsOptions {
  /** Arrow only: the column holding one vector per row (a fixed-size list or list). Default: the first such column, else every numeric column. */
  column?: string;
}

/**
 * Read a matrix of per-sample vectors (embeddings, pred_probs…) as a {@link Float32Matrix}.
 *
 * - `.npy`: a 2-D numeric array (a 1-D array becomes one column); any numeric dtype is converted to float32.
 * - Arrow (`.arrow`/`.feather`/`.ipc`): a fixed-size-list (or equal-length list) column, or every numeric column in order.
 *
 * Non-finite values are an `INVALID_INPUT` error naming the file, row and column.
 */
export async function readEmbeddings(path: string, options: ReadEmbeddingsOptions = {}): Promise<Float32Matrix> {
  const ext = extname(path).toLowerCase();
  const m = ext === ".npy" ? await fromNpy(path) : await fromArrow(path, options.column);
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i]!)) {
      const row = Math.floor(i / m.cols);
      const col = i % m.cols;
      throw invalidInput(`${path}: value at row ${row}, column ${col} is ${m.data[i]}; embeddings must be finite`, { file: path, row, col });
    }
  }
  return m;
}

async function fromNpy(path: string): Promise<Float32Matrix> {
  const arr = await readNpy(path);
  if (arr.shape.length !== 1 && arr.shape.length !== 2) {
    throw invalidInput(`${path} has shape [${arr.shape.join(", ")}]; expected a 2-D [rows, dims] array`, { file: path, shape: arr.shape });
  }
  const rows = arr.shape[0]!;
  const cols = arr.shape.length === 2 ? arr.shape[1]! : 1;
  const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(toNumbers(arr.data));
  return { rows, cols, data };
}

async function fromArrow(path: string, column: string | undefined): Promise<Float32Matrix> {
  const table: Table = await readArrowTable(path);
  const fields = table.schema.fields;
  const rows = table.numRows;
  const listField = column !== undefined ? fields.find((f) => f.name === column) : fields.find((f) => DataType.isFixedSizeList(f.type) || DataType.isList(f.type));
  if (column !== undefined && !listField) throw invalidInput(`${path} has no column "${column}" (columns: ${fields.map((f) => f.name).join(", ")})`, { file: path, column });
  if (listField && (DataType.isFixedSizeList(listField.type) || DataType.isList(listField.type))) {
    const vector = table.getChild(listField.name)!;
    let cols = -1;
    let data: Float32Array = new Float32Array(0);
    for (let i = 0; i < rows; i++) {
      const v = vector.get(i) as { toArray(): ArrayLike<number | bigint> } | null;
      if (!v) throw invalidInput(`${path}: column "${listField.name}" is null at row ${i}`, { file: path, row: i, column: listField.name });
      const values = v.toArray();
      if (cols < 0) {
        cols = values.length;
        data = matrixStorage(rows * cols);
      }
      if (values.length !== cols) {
        throw invalidInput(`${path}: column "${listField.name}" has ${values.length} values at row ${i} but ${cols} at row 0`, { file: path, row: i, column: listField.name });
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = Number(values[j]!);
    }
    return { rows, cols: Math.max(cols, 0), data };
  }
  const numeric = column !== undefined ? [listField!] : fields.filter((f) => DataType.isFloat(f.type) || DataType.isInt(f.type));
  if (numeric.length === 0) throw invalidInput(`${path} has no list or numeric column to read embeddings from`, { file: path });
  const cols = numeric.length;
  const data = matrixStorage(rows * cols);
  numeric.forEach((f, j) => {
    const vector = table.getChild(f.name)!;
    for (let i = 0; i < rows; i++) {
      const v = vector.get(i) as number | bigint | null;
      data[i * cols + j] = v === null ? Number.NaN : Number(v);
    }
  });
  return { rows, cols, data };
}

/** Write a {@link Float32Matrix} as a `[rows, cols]` float32 `.npy` file. */
export async function writeEmbeddingsNpy(path: string, matrix: Float32Matrix): Promise<void> {
  await writeNpy(path, matrix.data, [matrix.rows, matrix.cols]);
}
