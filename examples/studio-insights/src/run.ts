/**
 * The runnable example (`pnpm --filter @assay/example-studio-insights start`): prints the class-health
 * table, the overlapping pairs with their ontology verdicts, the suggested corrections and the
 * conflicting duplicate sets of examples/data/fashion-insights.
 *
 *   node dist/run.js [--data DIR]
 */
import { parseArgs } from "node:util";
import { isAssayError } from "@assay/core";
import { renderStudioInsights, runStudioInsights, runWithDuplicatesLens } from "./studio-insights.js";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: "string" } } });
  const r = await runStudioInsights(values.data);
  console.log(`${r.report.dataset.name}: ${r.report.dataset.size} images, ${r.classes.length} classes — ${(r.ms / 1000).toFixed(1)} s\n`);
  console.log(renderStudioInsights(r));
  const d = await runWithDuplicatesLens(r.duplicates.maxDistance!, values.data);
  const kinds = Object.entries(d.conflicts.kinds ?? {}).map(([k, n]) => `${n} ${k}`).join(", ");
  console.log(
    `\nwith the duplicates lens (duplicates.groups: ${kinds} groups, computed once): ${d.conflicts.summary.numConflicting} conflicting sets of ${d.conflicts.summary.numGroups}`,
  );
}

main().catch((error: unknown) => {
  console.error(isAssayError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
