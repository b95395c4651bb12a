import { defineConfig } from "tsup";
import { assayTsup } from "@assay/config/tsup";

// Not a library: the runnable entry (pnpm start → node dist/run.js). ESM only, no type declarations.
export default defineConfig(assayTsup({ run: "src/run.ts" }, { format: ["esm"], dts: false }));
