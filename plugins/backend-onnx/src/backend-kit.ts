import { readFile } from "node:fs/promises";
import { AssayError, type Float32Tensor, type TensorInfo } from "@assay/core";

/** Format a shape for messages, `-1` shown as `?`: `[?, 1, 28, 28]`. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? "?" : String(d))).join(", ")}]`;
}

/**
 * Check a batch against a model's inputs before running it: every input present, no unknown names,
 * data length equal to the product of dims, and fixed dimensions matching. Throws `MODEL_ERROR`
 * naming the input, the expected shape and the shape it got.
 */
export function checkFeeds(
  inputs: readonly TensorInfo[],
  feeds: Readonly<Record<string, Float32Tensor>>,
  context: { plugin: string; model: string },
): void {
  const fail = (message: string, details: Record<string, unknown>) =>
    new AssayError("MODEL_ERROR", `${context.model}: ${message}`, { plugin: context.plugin, stage: "run", details });
  const known = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name)) throw fail(`no input named "${name}"; the model's inputs are ${[...known].map((n) => `"${n}"`).join(", ")}`, { input: name });
  }
  for (const info of inputs) {
    const feed = feeds[info.name];
    if (!feed) throw fail(`input "${info.name}" ${shapeText(info.shape)} was not given`, { input: info.name });
    const count = feed.dims.reduce((a, b) => a * b, 1);
    if (feed.dims.some((d) => !Number.isInteger(d) || d < 0) || count !== feed.data.length) {
      throw fail(`input "${info.name}" has ${feed.data.length} values but dims ${shapeText(feed.dims)}`, { input: info.name, got: [...feed.dims] });
    }
    const fits =
      info.shape.length === 0 ||
      (info.shape.length === feed.dims.length && info.shape.every((d, k) => d < 0 || d === feed.dims[k]));
    if (!fits) {
      throw fail(`input "${info.name}" expects shape ${shapeText(info.shape)} but got ${shapeText(feed.dims)}`, {
        input: info.name,
        expected: [...info.shape],
        got: [...feed.dims],
      });
    }
  }
}

/** Read a model file; a missing or unreadable file is `IO_ERROR` naming the path. */
export async function readModelFile(path: string, plugin: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory, not a model file" : `cannot be read (${code ?? String(error)})`;
    throw new AssayError("IO_ERROR", `model file ${path} ${why}`, { plugin, stage: "load", details: { file: path }, cause: error });
  }
}
