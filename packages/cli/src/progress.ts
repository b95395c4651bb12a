import type { ProgressEvent } from "@assay/core";
import { formatCount } from "@assay/report";

/** How progress is shown: redrawn bars (`tty`), periodic plain lines (`plain`), or not at all (`off`). */
export type ProgressMode = "tty" | "plain" | "off";

/** Where progress is written: a stream with `write` (and, for bars, a `columns` width). */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  stream: ProgressStream;
  mode: ProgressMode;
  /** Plain mode: least time between two progress lines of one node (default 2000 ms). */
  plainIntervalMs?: number;
  /** TTY mode: least time between two redraws (default 80 ms). */
  redrawMs?: number;
  /** Clock, for tests (default `performance.now`). */
  now?: () => number;
}

/** A progress display driven by core's `onProgress` events. */
export interface ProgressDisplay {
  /** Pass this as `run({ onProgress })`. */
  onProgress(event: ProgressEvent): void;
  /** Finish: clear bars and stop timers. Safe to call twice. */
  stop(): void;
}

/** Pick the mode for a stream: `off` when quiet, `plain` when not a TTY or in CI, else `tty`. */
export function progressMode(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, quiet: boolean): ProgressMode {
  if (quiet) return "off";
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI.toLowerCase() !== "false";
  return stream.isTTY && !ci && env.TERM !== "dumb" ? "tty" : "plain";
}

interface Running {
  name: string;
  kind: string;
  started: number;
  done: number;
  total: number;
  lastLine: number;
}

/**
 * A progress display for pipeline runs. In `tty` mode each running node gets a bar with count,
 * rate and ETA, redrawn in place with ANSI cursor movement; finished nodes leave one line. In `plain`
 * mode it writes a line when a node starts and ends and at most every `plainIntervalMs` in between.
 */
export function createProgress(options: ProgressOptions): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const running = new Map<string, Running>();
  if (options.mode === "off") return { onProgress() {}, stop() {} };

  if (options.mode === "plain") {
    const interval = options.plainIntervalMs ?? 2000;
    return {
      onProgress(e) {
        const t = now();
        if (e.phase === "start") {
          running.set(e.node, { name: e.node, kind: e.kind, started: t, done: 0, total: 0, lastLine: t });
          options.stream.write(`assay: ${e.node} (${e.kind}) started\n`);
        } else if (e.phase === "progress") {
          const r = running.get(e.node);
          if (!r) return;
          r.done = e.done ?? r.done;
          r.total = e.total ?? r.total;
          if (t - r.lastLine >= interval) {
            r.lastLine = t;
            options.stream.write(`assay: ${e.node} ${describeCounts(r, t)}\n`);
          }
        } else {
          const r = running.get(e.node);
          running.delete(e.node);
          const took = r ? ` in ${formatSeconds((t - r.started) / 1000)}` : "";
          options.stream.write(`assay: ${e.node} ${e.status ?? "done"}${e.cached ? " (cached)" : ""}${e.status === "skipped" || e.status === "cancelled" || !r ? "" : took}\n`);
        }
      },
      stop() {
        running.clear();
      },
    };
  }

  const redrawMs = options.redrawMs ?? 80;
  let drawnLines = 0;
  let lastDraw = -Infinity;
  let frame = 0;
  let stopped = false;
  const spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  // some terminals (and `script`) report 0 columns: treat that as unknown
  const width = () => {
    const c = options.stream.columns;
    return c !== undefined && c > 0 ? Math.max(40, c) : 80;
  };

  const clear = () => {
    let s = "";
    for (let i = 0; i < drawnLines; i++) s += "\u001b[1A\u001b[2K";
    drawnLines = 0;
    return s;
  };
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < redrawMs) return;
    lastDraw = t;
    frame = (frame + 1) % spinner.length;
    let s = clear();
    for (const r of running.values()) {
      s += `${barLine(r, t, width(), spinner[frame]!)}\n`;
      drawnLines++;
    }
    options.stream.write(s);
  };
  const timer = setInterval(() => draw(false), Math.max(redrawMs, 100));
  timer.unref?.();
  options.stream.write("\u001b[?25l");

  return {
    onProgress(e) {
      if (stopped) return;
      const t = now();
      if (e.phase === "start") {
        running.set(e.node, { name: e.node, kind: e.kind, started: t, done: 0, total: 0, lastLine: t });
        draw(true);
      } else if (e.phase === "progress") {
        const r = running.get(e.node);
        if (!r) return;
        r.done = e.done ?? r.done;
        r.total = e.total ?? r.total;
        draw(false);
      } else {
        const r = running.get(e.node);
        running.delete(e.node);
        const mark = e.status === "ok" ? "\u001b[32m✔\u001b[0m" : e.status === "error" ? "\u001b[31m✖\u001b[0m" : "\u001b[33m–\u001b[0m";
        const took = r && (e.status === "ok" || e.status === "error") ? ` ${formatSeconds((t - r.started) / 1000)}` : "";
        options.stream.write(`${clear()}${mark} ${e.node} ${e.status ?? "done"}${e.cached ? " (cached)" : ""}${took}\n`);
        draw(true);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      running.clear();
      options.stream.write(`${clear()}\u001b[?25h`);
    },
  };
}

function barLine(r: Running, t: number, columns: number, spin: string): string {
  const label = `${spin} ${r.name}`.slice(0, 28).padEnd(28);
  if (r.total <= 0) return `${label} ${formatSeconds((t - r.started) / 1000)}`.slice(0, columns - 1);
  const counts = describeCounts(r, t);
  const barWidth = Math.max(10, Math.min(40, columns - label.length - counts.length - 5));
  const fraction = Math.min(1, Math.max(0, r.done / r.total));
  const filled = Math.round(fraction * barWidth);
  return `${label} ${"█".repeat(filled)}${"░".repeat(barWidth - filled)} ${counts}`.slice(0, columns - 1);
}

/** `600/2,000 30% 245/s ETA 6s`: counts, percent, rate and time left. */
function describeCounts(r: Running, t: number): string {
  const elapsed = (t - r.started) / 1000;
  const parts = [`${formatCount(r.done)}/${formatCount(r.total)}`];
  if (r.total > 0) parts.push(`${Math.floor((100 * r.done) / r.total)}%`);
  if (elapsed > 0 && r.done > 0) {
    const rate = r.done / elapsed;
    parts.push(`${rate >= 100 ? Math.round(rate) : rate.toFixed(1)}/s`);
    if (r.total > r.done) parts.push(`ETA ${formatSeconds((r.total - r.done) / rate)}`);
  }
  return parts.join(" ");
}

/** `0.4s`, `12s`, `3m05s`, `1h02m`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s - m * 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m - h * 60).padStart(2, "0")}m`;
}
