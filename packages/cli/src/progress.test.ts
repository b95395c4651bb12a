import { describe, expect, it } from "vitest";
import { createProgress, formatSeconds, progressMode } from "./progress.js";

function sink() {
  const chunks: string[] = [];
  return { chunks, stream: { columns: 100, write: (s: string) => chunks.push(s) }, text: () => chunks.join("") };
}

describe("progressMode", () => {
  it("is off when quiet, plain without a TTY or in CI, bars on a TTY", () => {
    expect(progressMode({ isTTY: true }, {}, true)).toBe("off");
    expect(progressMode({ isTTY: false }, {}, false)).toBe("plain");
    expect(progressMode({ isTTY: true }, { CI: "true" }, false)).toBe("plain");
    expect(progressMode({ isTTY: true }, { CI: "false" }, false)).toBe("tty");
    expect(progressMode({ isTTY: true }, {}, false)).toBe("tty");
  });
});

describe("createProgress", () => {
  it("plain mode: start, throttled progress lines with rate and ETA, end", () => {
    let t = 0;
    const out = sink();
    const p = createProgress({ stream: out.stream, mode: "plain", plainIntervalMs: 1000, now: () => t });
    p.onProgress({ node: "embed", kind: "extractor", phase: "start" });
    t = 500;
    p.onProgress({ node: "embed", kind: "extractor", phase: "progress", done: 100, total: 1000 });
    t = 2000;
    p.onProgress({ node: "embed", kind: "extractor", phase: "progress", done: 400, total: 1000 });
    t = 2100;
    p.onProgress({ node: "embed", kind: "extractor", phase: "progress", done: 420, total: 1000 });
    t = 5000;
    p.onProgress({ node: "embed", kind: "extractor", phase: "end", status: "ok" });
    p.onProgress({ node: "dups", kind: "detector", phase: "end", status: "skipped" });
    p.stop();
    expect(out.text()).toBe(
      [
        "assay: embed (extractor) started",
        "assay: embed 400/1,000 40% 200/s ETA 3.0s",
        "assay: embed ok in 5.0s",
        "assay: dups skipped",
        "",
      ].join("\n"),
    );
  });

  it("tty mode: draws a bar per running node and replaces it with a result line", () => {
    let t = 0;
    const out = sink();
    const p = createProgress({ stream: out.stream, mode: "tty", redrawMs: 0, now: () => t });
    p.onProgress({ node: "embed", kind: "extractor", phase: "start" });
    t = 1000;
    p.onProgress({ node: "embed", kind: "extractor", phase: "progress", done: 50, total: 200 });
    const drawn = out.chunks.at(-1)!;
    expect(drawn).toContain("\u001b[1A\u001b[2K"); // the previous bar line is cleared
    expect(drawn).toMatch(/embed\s+█{5,}░+ 50\/200 25% 50\.0\/s ETA 3\.0s\n$/);
    t = 2000;
    p.onProgress({ node: "embed", kind: "extractor", phase: "end", status: "ok", cached: true });
    expect(out.text()).toContain("\u001b[32m✔\u001b[0m embed ok (cached) 2.0s\n");
    p.stop();
    expect(out.chunks[0]).toBe("\u001b[?25l");
    expect(out.chunks.at(-1)).toBe("\u001b[?25h");
  });

  it("tty mode: treats 0 columns as 80 and keeps the counts on the line", () => {
    let t = 0;
    const chunks: string[] = [];
    const p = createProgress({ stream: { columns: 0, write: (s: string) => chunks.push(s) }, mode: "tty", redrawMs: 0, now: () => t });
    p.onProgress({ node: "class-counts", kind: "extractor", phase: "start" });
    t = 100;
    p.onProgress({ node: "class-counts", kind: "extractor", phase: "progress", done: 7, total: 7 });
    const line = chunks.at(-1)!.split("\u001b[2K").at(-1)!;
    expect(line).toMatch(/class-counts\s+█{30,} 7\/7 100% 70\.0\/s\n$/);
    expect(line.length).toBeLessThanOrEqual(80);
    p.stop();
  });

  it("off mode writes nothing", () => {
    const out = sink();
    const p = createProgress({ stream: out.stream, mode: "off" });
    p.onProgress({ node: "x", kind: "detector", phase: "start" });
    p.stop();
    expect(out.chunks).toEqual([]);
  });
});

describe("formatSeconds", () => {
  it("formats short and long durations", () => {
    expect([formatSeconds(0.42), formatSeconds(12.4), formatSeconds(185), formatSeconds(3720), formatSeconds(Number.NaN)]).toEqual(["0.4s", "12s", "3m05s", "1h02m", "?"]);
  });
});
