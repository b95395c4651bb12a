/**
 * Node-only parts of @assay/core (file system). The main entry stays browser-safe.
 * @module
 */
export { diskCache, type DiskCacheOptions } from "./disk-cache.js";
export { fileStamp, readModelFile } from "./model-file.js";
