import { createProgram } from "./program.js";

const controller = new AbortController();
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write("\nassay: stopping… (Ctrl-C again to quit at once)\n");
  controller.abort(new Error("interrupted"));
});

const { run } = createProgram({ stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`assay: INTERNAL: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
