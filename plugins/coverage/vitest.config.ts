import { defineConfig } from "vitest/config";
import { assayVitest } from "@assay/config/vitest";

export default defineConfig(assayVitest());
