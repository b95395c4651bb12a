import { defineConfig } from "tsup";
import { assayTsup } from "@assay/config/tsup";

// stats-worker is loaded by file URL from dist at run time (worker threads of imageStats)
export default defineConfig(assayTsup({ index: "src/index.ts", "stats-worker": "src/stats-worker.ts" }));
