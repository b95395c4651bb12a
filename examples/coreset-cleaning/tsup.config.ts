import { defineConfig } from "tsup";
import { assayTsup } from "@assay/config/tsup";

// Not a library: the runnable entry (pnpm start → node dist/run.js), plus dist/auroc.js, which
// bench/coreset imports until AUROC moves to @assay/math. ESM only, no type declarations.
export default defineConfig(assayTsup({ run: "src/run.ts", auroc: "src/auroc.ts" }, { format: ["esm"], dts: false }));
