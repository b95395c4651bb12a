import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { ArtifactCache } from "./cache.js";
import { AssayError } from "./errors.js";

/** Options of {@link diskCache}. */
export interface DiskCacheOptions {
  /** Called when an entry cannot be read back (it is then treated as a miss and deleted). */
  onCorrupt?: (key: string, error: unknown) => void;
}

/**
 * An artifact cache in a folder: one file per entry, written with V8's structured serialisation (typed
 * arrays, Maps and nested objects round-trip exactly). Writes are atomic (temp file + rename), so an
 * interrupted run never leaves a half-written entry.
 */
export function diskCache(directory: string, options: DiskCacheOptions = {}): ArtifactCache {
  let ready: Promise<unknown> | undefined;
  const path = (key: string) => {
    if (!/^[0-9a-z]+$/i.test(key)) throw new AssayError("CACHE_ERROR", `invalid cache key "${key}"`);
    return join(directory, `${key}.v8`);
  };
  return {
    async get(key) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new AssayError("CACHE_ERROR", `cannot read cache entry ${path(key)}`, { cause: error });
      }
      try {
        return deserialize(bytes);
      } catch (error) {
        options.onCorrupt?.(key, error);
        await rm(path(key), { force: true });
        return undefined;
      }
    },
    async set(key, value) {
      ready ??= mkdir(directory, { recursive: true });
      await ready;
      const target = path(key);
      const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
      try {
        await writeFile(temp, serialize(value));
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw new AssayError("CACHE_ERROR", `cannot write cache entry ${target}`, { cause: error });
      }
    },
  };
}
