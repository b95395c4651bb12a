import { join } from "node:path";
import { runCleaning } from "./cleaning.js";
const r = await runCleaning(join(process.cwd(), "../data/fashion-sample"), { clusterOutlierThreshold: 2.5 });
console.log(JSON.stringify(r.report.results.clusterer!.summary));
for (const f of r.report.findings.filter((x) => x.type === "cluster_outlier")) console.log(f.ids[0], f.score?.toFixed(2));
