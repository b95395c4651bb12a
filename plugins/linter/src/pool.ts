import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RasterImage } from "@assay/core";
import type { XyxyBox } from "./image.js";

/** Message to a stats worker. @internal */
export interface WorkerRequest {
  id: number;
  image: RasterImage;
  boxes: XyxyBox[];
  options: { normalize: boolean; perChannel: boolean; hashes: "none" | "basic" | "all" };
}

/** Reply of a stats worker: the analysed rows, or the error message. @internal */
export type WorkerResponse = { id: number; rows: unknown[]; error?: undefined } | { id: number; error: string; rows?: undefined };

/** The worker script next to this module, when it exists (it does in the built package). @internal */
export function statsWorkerUrl(): URL | undefined {
  try {
    const url = new URL("./stats-worker.js", import.meta.url);
    return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A fixed pool of worker threads that analyse images, one task per worker at a time, with a FIFO
 * queue. Images are copied into the message (the caller's buffer is never detached). @internal
 */
export class StatsPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: { msg: WorkerRequest; resolve: (rows: unknown[]) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<Worker, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** Set when a worker died; callers then fall back to the main thread. */
  failed: Error | undefined;

  constructor(size: number, url: URL) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(url);
      w.on("message", (reply: WorkerResponse) => {
        const p = this.pending.get(w);
        this.pending.delete(w);
        if (p) {
          if (reply.error !== undefined) p.reject(new Error(reply.error));
          else p.resolve(reply.rows!);
        }
        this.idle.push(w);
        this.pump();
      });
      w.on("error", (error) => {
        this.failed = error;
        const p = this.pending.get(w);
        this.pending.delete(w);
        p?.reject(error);
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Analyse one image in a worker. */
  run(image: RasterImage, boxes: XyxyBox[], options: WorkerRequest["options"]): Promise<unknown[]> {
    if (this.failed) return Promise.reject(this.failed);
    const copy: RasterImage = { ...image, data: image.data.slice() };
    return new Promise((resolve, reject) => {
      this.queue.push({ msg: { id: this.nextId++, image: copy, boxes, options }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.pending.set(w, task);
      w.postMessage(task.msg, [task.msg.image.data.buffer as ArrayBuffer]);
    }
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
