import { readFile } from "node:fs/promises";
import { it } from "vitest";
import { DEFAULT_DATA_DIR, runStudioInsights } from "./studio-insights.js";
it("measure", async () => {
  const r = await runStudioInsights();
  const planted = JSON.parse(await readFile(`${DEFAULT_DATA_DIR}/planted.json`, "utf8"));
  const wrong = new Set(planted.duplicates.filter((d: any) => d.kind !== "agreeing_pair").flatMap((d: any) => d.wrong));
  const suspects = r.duplicates.conflicts.flatMap((c) => c.suspects);
  console.log("wrong", wrong.size, "suspects", suspects.length, "hit", suspects.filter((i) => wrong.has(i)).length);
  const flips = new Set(planted.label_noise.flips.map((f: any) => f.row));
  let flagged = 0; for (const c of r.corrections.cells) for (const i of c.examples) if (flips.has(i)) flagged++;
  console.log("flips", flips.size, "in cells", flagged, "numFlagged", r.corrections.numFlagged);
}, 60000);
