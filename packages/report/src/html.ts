import { type Report, type Severity, stableStringify } from "@assay/core";
import { describeDataset, formatCount, formatDuration, formatScore, groupFindings, jsonSafe, severityOrder, type FindingGroup } from "./summary.js";

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /** Page title (default `assay report — <dataset name>`). */
  title?: string;
  /** Most findings listed in the table (default 5000); the page says how many were left out. */
  maxRows?: number;
  /**
   * Optional thumbnails as data URIs (`data:image/png;base64,…`) by dataset row index; a finding's
   * first sample with a thumbnail shows it in the table. Only `data:image/` URIs are used, so the page
   * stays self-contained.
   */
  thumbnails?: ReadonlyMap<number, string> | Readonly<Record<number, string>>;
}

const severityFill: Record<Severity, string> = { error: "#c62828", warning: "#ef8f00", info: "#1e66c8" };
const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * A self-contained HTML page for a report that works offline: dataset summary, node table, an inline
 * SVG bar chart of findings per detector/type (stacked by severity), detector headline numbers, and a
 * findings table that sorts by any column and filters by text with a few lines of inline JavaScript.
 * No external scripts, styles, fonts or images.
 */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const title = options.title ?? `assay report — ${report.dataset.name}`;
  const maxRows = Math.max(0, Math.floor(options.maxRows ?? 5000));
  const thumbs = thumbnailLookup(options.thumbnails);
  const groups = groupFindings(report);
  const shown = report.findings.slice(0, maxRows);

  const parts: string[] = [];
  parts.push(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@assay/report">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="dataset">${esc(describeDataset(report))}</p>
<p class="status">status <span class="badge st-${esc(report.status)}">${esc(report.status)}</span> · ${report.nodes.length} nodes${report.durationMs === undefined ? "" : ` · ${esc(formatDuration(report.durationMs))}`} · fingerprint <code>${esc(report.dataset.fingerprint)}</code></p>
<ul class="counts">${severityOrder.map((s) => `<li class="sev-${s}"><b>${formatCount(report.counts[s])}</b> ${s}</li>`).join("")}<li><b>${formatCount(report.findings.length)}</b> findings</li></ul>
</header>
<main>`);

  parts.push(`<section id="chart"><h2>Findings per type</h2>${groups.length ? barChart(groups) : "<p>No findings.</p>"}</section>`);

  parts.push(`<section id="nodes"><h2>Nodes</h2>
<table class="nodes"><thead><tr><th>node</th><th>kind</th><th>plugin</th><th>status</th><th>time</th><th>cache</th><th>notes</th></tr></thead><tbody>
${report.nodes
  .map((n) => {
    const notes = [
      ...(n.error ? [`${n.error.code}: ${n.error.message}`] : []),
      ...(n.reason ? [n.reason] : []),
      ...(n.warnings ?? []).map((w) => `warning: ${w}`),
    ];
    return `<tr><td>${esc(n.name)}</td><td>${n.kind}</td><td>${esc(n.plugin ?? "")}</td><td><span class="badge st-${esc(n.status)}">${esc(n.status)}</span></td><td class="num">${esc(formatDuration(n.durationMs))}</td><td>${n.cached ? "cached" : ""}</td><td>${notes.map(esc).join("<br>")}</td></tr>`;
  })
  .join("\n")}
</tbody></table></section>`);

  const summaries = Object.entries(report.results).filter(([, r]) => r.summary && Object.keys(r.summary).length > 0);
  if (summaries.length > 0) {
    parts.push(`<section id="summaries"><h2>Detector summaries</h2>${summaries
      .map(
        ([name, r]) =>
          `<div class="summary"><h3>${esc(name)}</h3><dl>${Object.entries(r.summary!)
            .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === "number" ? formatScore(v) : String(v))}</dd>`)
            .join("")}</dl></div>`,
      )
      .join("\n")}</section>`);
  }

  parts.push(`<section id="findings"><h2>Findings</h2>
<p><input id="filter" type="search" placeholder="filter rows…" aria-label="filter findings"> <span id="shown">${formatCount(shown.length)}</span> of ${formatCount(report.findings.length)} shown${shown.length < report.findings.length ? ` (the table lists the first ${formatCount(maxRows)}; the JSON report has all)` : ""}.</p>
<table class="findings sortable"><thead><tr><th data-type="text">detector</th><th data-type="text">type</th><th data-type="num">severity</th><th data-type="num">score</th><th data-type="num">samples</th><th data-type="text">message</th><th data-type="text">data</th></tr></thead><tbody>
${shown
  .map((f) => {
    const thumb = f.indices.map((i) => thumbs(i)).find((t) => t !== undefined);
    const samples = f.ids.length === 0 ? "(dataset)" : f.ids.map((id, k) => `${id} [${f.indices[k]}]`).join(", ");
    const data = f.data === undefined ? "" : stableStringify(jsonSafe(f.data));
    return `<tr><td>${esc(f.detector)}</td><td>${esc(f.type)}</td><td data-v="${severityRank[f.severity]}" class="sev-${f.severity}">${f.severity}</td><td class="num" data-v="${f.score === undefined || !Number.isFinite(f.score) ? "" : f.score}">${esc(formatScore(f.score))}</td><td data-v="${f.indices[0] ?? -1}">${thumb ? `<img class="thumb" alt="" src="${esc(thumb)}">` : ""}${esc(samples)}</td><td>${esc(f.message)}</td><td><code>${esc(data)}</code></td></tr>`;
  })
  .join("\n")}
</tbody></table></section>
</main>
<footer>Generated by @assay/report · schema ${esc(report.schema)}</footer>
<script>${script}</script>
</body>
</html>
`);
  return parts.join("\n");
}

/** Horizontal stacked bars, one per detector/type, segments coloured by severity. */
function barChart(groups: readonly FindingGroup[]): string {
  const labelWidth = 260;
  const barWidth = 420;
  const rowHeight = 22;
  const top = 8;
  const max = Math.max(...groups.map((g) => g.total));
  const height = top + groups.length * rowHeight + 24;
  const rows = groups.map((g, r) => {
    const y = top + r * rowHeight;
    let x = labelWidth;
    const segments = severityOrder
      .filter((s) => g.counts[s] > 0)
      .map((s) => {
        const w = (g.counts[s] / max) * barWidth;
        const rect = `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${Math.max(w, 1).toFixed(1)}" height="${rowHeight - 6}" fill="${severityFill[s]}"><title>${esc(`${g.detector} / ${g.type}: ${g.counts[s]} ${s}`)}</title></rect>`;
        x += w;
        return rect;
      })
      .join("");
    return `<text x="${labelWidth - 6}" y="${y + rowHeight / 2 + 4}" text-anchor="end">${esc(`${g.detector} / ${g.type}`)}</text>${segments}<text x="${(x + 4).toFixed(1)}" y="${y + rowHeight / 2 + 4}" class="count">${formatCount(g.total)}</text>`;
  });
  const legend = severityOrder
    .map((s, i) => `<rect x="${labelWidth + i * 90}" y="${height - 16}" width="10" height="10" fill="${severityFill[s]}"/><text x="${labelWidth + i * 90 + 14}" y="${height - 7}">${s}</text>`)
    .join("");
  return `<svg class="bars" role="img" aria-label="findings per detector and type" xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 60}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 60} ${height}">${rows.join("")}${legend}</svg>`;
}

function thumbnailLookup(t: HtmlOptions["thumbnails"]): (i: number) => string | undefined {
  if (!t) return () => undefined;
  const get = t instanceof Map ? (i: number) => t.get(i) : (i: number) => (t as Readonly<Record<number, string>>)[i];
  return (i) => {
    const uri = get(i);
    return typeof uri === "string" && uri.startsWith("data:image/") ? uri : undefined;
  };
}


/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
const esc = escapeHtml;

const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 20px}
header{padding-top:16px}h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:24px 0 8px}h3{font-size:14px;margin:4px 0}
.dataset{font-size:15px;margin:4px 0}.status{color:#555;margin:4px 0}
.counts{list-style:none;padding:0;display:flex;gap:18px;margin:8px 0}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e3e3e3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0;position:sticky;top:0}table.sortable th{cursor:pointer;user-select:none}
th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px;word-break:break-all}
.badge{padding:1px 6px;border-radius:8px;font-size:12px;background:#eee}
.st-ok{background:#d7f2dc}.st-partial,.st-skipped{background:#fff0c2}.st-error,.st-cancelled{background:#fbd3d3}
.sev-error{color:#c62828}.sev-warning{color:#b36200}.sev-info{color:#1e66c8}
.summary{display:inline-block;vertical-align:top;margin:0 24px 12px 0}dl{display:grid;grid-template-columns:auto auto;gap:0 12px;margin:0}dt{color:#555}dd{margin:0}
svg.bars text{font-size:12px;fill:#333}svg.bars text.count{fill:#555}
img.thumb{width:32px;height:32px;object-fit:contain;image-rendering:pixelated;vertical-align:middle;margin-right:6px;border:1px solid #ddd}
#filter{padding:4px 8px;width:260px}footer{color:#888;font-size:12px;padding:24px 20px}
`;

const script = `
(function(){
  var table=document.querySelector("table.findings");if(!table)return;
  var body=table.tBodies[0],heads=table.tHead.rows[0].cells;
  function key(row,c,num){var cell=row.cells[c];var v=cell.getAttribute("data-v");if(v===null)v=cell.textContent;
    if(num){var n=parseFloat(v);return isNaN(n)?null:n;}return v.toLowerCase();}
  Array.prototype.forEach.call(heads,function(th,c){th.addEventListener("click",function(){
    var num=th.getAttribute("data-type")==="num";var asc=!th.classList.contains("asc");
    Array.prototype.forEach.call(heads,function(h){h.classList.remove("asc","desc");});
    th.classList.add(asc?"asc":"desc");
    var rows=Array.prototype.slice.call(body.rows).map(function(r,i){return{r:r,i:i,k:key(r,c,num)};});
    rows.sort(function(a,b){if(a.k===b.k)return a.i-b.i;if(a.k===null)return 1;if(b.k===null)return -1;
      var d=a.k<b.k?-1:1;return asc?d:-d;});
    rows.forEach(function(x){body.appendChild(x.r);});});});
  var filter=document.getElementById("filter"),shown=document.getElementById("shown");
  filter.addEventListener("input",function(){var q=filter.value.toLowerCase(),n=0;
    Array.prototype.forEach.call(body.rows,function(r){var hit=!q||r.textContent.toLowerCase().indexOf(q)>=0;r.style.display=hit?"":"none";if(hit)n++;});
    shown.textContent=String(n);});
})();
`;
