import { defineConfig } from "tsup";
import { assayTsup } from "@assay/config/tsup";

// The library entry (ESM + CJS + types) and the `assay` executable (ESM only, with a shebang).
export default defineConfig([
  assayTsup({ index: "src/index.ts" }),
  assayTsup({ bin: "src/bin.ts" }, { format: ["esm"], dts: false, clean: false, sourcemap: false, banner: { js: "#!/usr/bin/env node" } }),
]);
