import type { Report } from "@assay/core";
import { beforeAll, describe, expect, it } from "vitest";
import { csvColumns, groupFindings, renderConsole, renderCsv, renderHtml, renderJson } from "./index.js";
import { sampleReport } from "./test-fixture.js";

let report: Report;
beforeAll(async () => {
  report = await sampleReport();
});

/** Minimal RFC 4180 parser for checking the CSV round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else field += c;
  }
  return rows;
}

describe("groupFindings", () => {
  it("groups by detector and type in first-seen order, most severe first", () => {
    const groups = groupFindings(report);
    expect(groups.map((g) => `${g.detector}/${g.type}:${g.total}:${g.worst}`)).toEqual([
      "exposure/too_dark:1:error",
      "exposure/same_brightness:2:warning",
      "exposure/low_contrast:1:info",
    ]);
    expect(groups[1]!.counts).toEqual({ info: 1, warning: 1, error: 0 });
  });
});

describe("renderConsole", () => {
  it("prints the dataset line, node table, counts and top examples", () => {
    const text = renderConsole(report);
    const lines = text.split("\n");
    expect(lines[0]).toBe('assay report — dataset "tiny", 6 samples, 2 classes, classification, splits test 2 · train 4');
    expect(lines[1]).toMatch(/^status partial · 3 nodes · 1 failed · \d+ ms$/);
    expect(text).toMatch(/\n {2}brightness\s+extractor\s+test-plugin\s+ok\s+\d+ ms\s*\n/);
    expect(text).toMatch(/\n {2}broken\s+detector\s+error\s+\d+ ms\s*\n/);
    expect(text).toContain("  ✖ broken: INVALID_INPUT: broken needs images and the dataset has none");
    expect(text).toContain("  exposure: dark=1 mean_brightness=0.4367");
    expect(text).toContain("Findings: 4 (error 1 · warning 1 · info 2)");
    expect(text).toMatch(/\n {2}exposure\s+same_brightness\s+warning\s+2\s+warning 1, info 1\n/);
    expect(text).toContain("── exposure / too_dark (1) ──");
    expect(text).toMatch(/\n {2}error\s+0\.02\s+e\.png \[4\]\s+brightness 0\.02 < 0\.05\n/);
    expect(text).toContain('b,1.png [1], c "q".png [2]');
    expect(text).toContain("a note <b>not bold</b> second line");
    expect(text).toMatch(/\n {2}info\s+0\.25\s+\(dataset\)\s+dataset-wide contrast is low\n/);
    expect(text).not.toContain("\u001b[");
  });

  it("limits examples per type and colours only when asked", () => {
    const one = renderConsole(report, { maxPerType: 1 });
    expect(one).toContain("  … and 1 more");
    expect(one.match(/── exposure \/ same_brightness/g)).toHaveLength(1);
    expect(one).not.toContain("a note <b>");
    const none = renderConsole(report, { maxPerType: 0 });
    expect(none).not.toContain("──");
    const colored = renderConsole(report, { color: true });
    expect(colored).toContain("\u001b[31merror");
    expect(colored.replace(/\u001b\[[0-9;]*m/g, "")).toBe(renderConsole(report));
  });

  it("says so when there are no findings", () => {
    const empty: Report = { ...report, findings: [], counts: { info: 0, warning: 0, error: 0 } };
    expect(renderConsole(empty)).toContain("Findings: 0\n  no issues found by the lenses that ran\n");
  });
});

describe("renderJson", () => {
  it("is core's serialisation, deterministic without timings", () => {
    const json = renderJson(report, { timings: false });
    expect(json.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(json);
    expect(parsed.schema).toBe("assay.report/v1");
    expect(parsed.findings[1].data).toEqual({ values: [0.5, 0.5], ratio: null });
    expect(json).not.toContain("durationMs");
    expect(renderJson(report, { timings: false })).toBe(json);
  });
});

describe("renderCsv", () => {
  it("writes one correctly quoted row per finding", () => {
    const csv = renderCsv(report);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...csvColumns]);
    expect(rows).toHaveLength(5);
    expect(rows[1]).toEqual(["exposure", "too_dark", "error", String(Math.fround(0.02)), "4", "e.png", "brightness 0.02 < 0.05", `{"brightness":${Math.fround(0.02)},"expected":">= 0.05"}`]);
    expect(rows[2]).toEqual([
      "exposure",
      "same_brightness",
      "warning",
      "1",
      "1;2",
      'b,1.png;c "q".png',
      'rows 1 and 2 have equal brightness, "suspicious", maybe',
      '{"ratio":null,"values":[0.5,0.5]}',
    ]);
    expect(rows[3]).toEqual(["exposure", "same_brightness", "info", "", "3", "d.png", "a note <b>not bold</b>\nsecond line", ""]);
    expect(rows[4]).toEqual(["exposure", "low_contrast", "info", "0.25", "", "", "dataset-wide contrast is low", ""]);
    expect(csv.split("\n")[2]).toBe('exposure,same_brightness,warning,1,1;2,"b,1.png;c ""q"".png","rows 1 and 2 have equal brightness, ""suspicious"", maybe","{""ratio"":null,""values"":[0.5,0.5]}"');
  });

  it("supports CRLF line endings", () => {
    const csv = renderCsv(report, { eol: "\r\n" });
    expect(csv.startsWith("detector,type,severity,score,indices,ids,message,data\r\n")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
  });
});

describe("renderHtml", () => {
  it("is a self-contained page with summary, chart and sortable table", () => {
    const html = renderHtml(report);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>assay report — tiny</title>");
    expect(html).toContain("dataset &quot;tiny&quot;, 6 samples, 2 classes, classification");
    // no external assets
    expect(html).not.toMatch(/<(script|img|link)[^>]+(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/@import|url\(/);
    // chart: one stacked bar per detector/type, the warning+info group has two segments
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
    expect(svg.match(/<rect /g)).toHaveLength(4 + 3);
    expect(svg).toContain("<title>exposure / same_brightness: 1 warning</title>");
    expect(svg).toContain(">exposure / too_dark</text>");
    // table rows, escaped content
    const tbody = html.slice(html.indexOf('<table class="findings'), html.indexOf("</table>", html.indexOf('<table class="findings')));
    expect(tbody.match(/<tr>/g)).toHaveLength(5);
    expect(html).toContain("a note &lt;b&gt;not bold&lt;/b&gt;");
    expect(html).not.toContain("<b>not bold</b>");
    expect(html).toContain("c &quot;q&quot;.png [2]");
    expect(html).toContain("INVALID_INPUT: broken needs images and the dataset has none");
    expect(html).toContain('<th data-type="num">score</th>');
    expect(html).toContain('addEventListener("click"');
    // the inline script is valid JavaScript
    const script = html.slice(html.lastIndexOf("<script>") + 8, html.lastIndexOf("</script>"));
    expect(() => new Function(script)).not.toThrow();
    expect(html).toContain('<li class="sev-error"><b>1</b> error</li>');
  });

  it("caps the table, shows only data: thumbnails", () => {
    const html = renderHtml(report, { maxRows: 2, thumbnails: new Map([[4, "data:image/png;base64,AAAA"], [1, "http://x/y.png"]]) });
    expect(html).toContain("<span id=\"shown\">2</span> of 4 shown (the table lists the first 2; the JSON report has all)");
    expect(html).toContain('<img class="thumb" alt="" src="data:image/png;base64,AAAA">e.png [4]');
    expect(html).not.toContain("http://x/y.png");
  });
});
