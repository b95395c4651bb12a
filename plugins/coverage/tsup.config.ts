import { defineConfig } from "tsup";
import { assayTsup } from "@assay/config/tsup";

export default defineConfig(assayTsup({"index":"src/index.ts"}));
