import { defineConfig } from "tsup";
import { assayTsup } from "@assay/config/tsup";

// `demo` is the runnable example (pnpm start); only `index` is exported.
export default defineConfig(assayTsup({ index: "src/index.ts", demo: "src/demo.ts" }));
