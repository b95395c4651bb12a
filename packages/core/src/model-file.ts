import { readFile, stat } from "node:fs/promises";
import { AssayError } from "./errors.js";

/**
 * Read a model file for a backend's `load()`. A missing path, a directory, or a file that cannot be
 * read is an `IO_ERROR` naming the path, with `plugin`, `stage: "load"` and `details.file`.
 */
export async function readModelFile(path: string, plugin: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory, not a model file" : `cannot be read (${code ?? String(error)})`;
    throw new AssayError("IO_ERROR", `model file ${path} ${why}`, { plugin, stage: "load", details: { file: path }, cause: error });
  }
}

/**
 * A short text that changes whenever one of `paths` is replaced or rewritten: each file's size and
 * modification time in milliseconds (`"<size>:<mtimeMs>"`), or `"-"` for a path that does not exist,
 * joined with `|`. Meant for an extractor's `cacheSalt`, so a cached artifact is recomputed after the
 * model it came from is retrained. It never throws (an unreadable path counts as missing), so the
 * node itself reports the problem when it runs.
 */
export async function fileStamp(paths: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    paths.map(async (p) => {
      try {
        const s = await stat(p);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return "-";
      }
    }),
  );
  return parts.join("|");
}
