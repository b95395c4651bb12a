import { Worker } from "node:worker_threads";
import { AssayError } from "@assay/core";
import { cancelled, PLUGIN } from "./errors.js";

/* eslint-disable @typescript-eslint/no-unsafe-function-type */

/**
 * A parallel job: `entry(ctx, start, end)` is called on chunks of the task range [0, total) by
 * worker threads that claim chunks through a shared atomic counter. `entry` and every function it
 * calls must be listed in `fns` and be SELF-CONTAINED (no imports or module-level values): they are
 * shipped to the workers as their own source text (`Function.prototype.toString`) and evaluated with
 * `new Worker(src, { eval: true })`. That is what lets one code path run from the TypeScript sources
 * (tests), the ESM bundle and the CJS bundle alike. `ctx` must be structured-cloneable; typed arrays
 * on SharedArrayBuffers are shared, which is how results come back.
 * @internal
 */
export interface PoolJob {
  /** Name used in error messages (the public function). */
  fn: string;
  fns: Function[];
  entry: Function;
  ctx: unknown;
  total: number;
  chunk: number;
  workers: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

const sources = new Map<Function, string>();

function workerSource(fns: Function[], entry: Function): string {
  const cached = sources.get(entry);
  if (cached !== undefined) return cached;
  // Works whether Node evaluates the string as CommonJS or as an ES module (e.g. under --input-type=module).
  const src = `"use strict";
var __name = function (target) { return target; };
${fns.map((f) => f.toString()).join("\n")}
(typeof require === "function" ? Promise.resolve(require("node:worker_threads")) : import("node:worker_threads")).then(({ parentPort, workerData }) => {
  const { ctx, counter, chunk, total } = workerData;
  for (;;) {
    const start = Atomics.add(counter, 0, chunk);
    if (start >= total) break;
    const end = Math.min(total, start + chunk);
    ${entry.name}(ctx, start, end);
    parentPort.postMessage(end - start);
  }
  parentPort.postMessage(-1);
});
`;
  if (src.includes("__vite_ssr_import_") || src.includes("__require")) {
    // A kernel referenced a value imported from another module: it would be undefined in the worker.
    throw new Error(`pool: kernel ${entry.name} is not self-contained (it references an imported value)`);
  }
  sources.set(entry, src);
  return src;
}

/** Run a {@link PoolJob}; resolves when every chunk is done, rejects with `CANCELLED` on abort. @internal */
export function runPool(job: PoolJob): Promise<void> {
  const { fn, total, chunk, signal, onProgress } = job;
  const count = Math.max(1, Math.min(job.workers, Math.ceil(total / chunk)));
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const workerData = { ctx: job.ctx, counter, chunk, total };
  const source = workerSource(job.fns, job.entry);
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled(fn, signal.reason));
      return;
    }
    const pool: Worker[] = [];
    let finished = 0;
    let done = 0;
    let settled = false;
    const stop = (): void => {
      for (const w of pool) void w.terminate();
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      stop();
      reject(err);
    };
    const onAbort = (): void => fail(cancelled(fn, signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    const crash = (message: string, cause?: unknown): AssayError =>
      new AssayError("NODE_FAILED", `${fn}: worker ${message}`, cause === undefined ? { plugin: PLUGIN, stage: fn } : { plugin: PLUGIN, stage: fn, cause });
    for (let w = 0; w < count; w++) {
      const worker = new Worker(source, { eval: true, workerData });
      pool.push(worker);
      worker.on("message", (msg: number) => {
        if (msg === -1) {
          finished++;
          if (finished === count && !settled) {
            settled = true;
            stop();
            resolve();
          }
          return;
        }
        done += msg;
        onProgress?.(done, total);
      });
      worker.on("error", (err) => fail(crash(`failed: ${err instanceof Error ? err.message : String(err)}`, err)));
      worker.on("exit", (code) => {
        if (code !== 0 && !settled) fail(crash(`exited with code ${code}`));
      });
    }
  });
}
