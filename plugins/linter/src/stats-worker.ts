/**
 * Worker-thread entry of `imageStats()`: receives one decoded image and its boxes, returns the
 * analysed rows. Built as its own file (dist/stats-worker.js) and started by the extractor's pool.
 * @internal
 * @module
 */
import { parentPort } from "node:worker_threads";
import { analyseImage } from "./extractor.js";
import type { WorkerRequest, WorkerResponse } from "./pool.js";

parentPort?.on("message", (msg: WorkerRequest) => {
  let reply: WorkerResponse;
  try {
    reply = { id: msg.id, rows: analyseImage(msg.image, msg.boxes, msg.options) };
  } catch (error) {
    reply = { id: msg.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
