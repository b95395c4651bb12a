import { mkdir, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverPlugins, entryOf } from "./discover.js";
import { makeProject } from "./test-fixtures.js";

let root: string;
beforeAll(async () => {
  root = await makeProject();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("discoverPlugins", () => {
  it("finds assay-plugin-* and scoped plugins, warns about broken ones, skips core", async () => {
    const found = await discoverPlugins({ from: [root] });
    expect(found.plugins.map((p) => `${p.packageName}@${p.packageVersion}:${p.plugin.name}`)).toEqual([
      "@acme/assay-plugin-extra@1.2.3:@acme/assay-plugin-extra",
      "assay-plugin-test@1.2.3:assay-plugin-test",
    ]);
    const test = found.plugins.find((p) => p.packageName === "assay-plugin-test")!;
    expect(test.plugin.detectors?.map((d) => d.nodeName)).toEqual(["rare-class", "unlabeled", "label-mismatch", "picky"]);
    expect(found.warnings).toHaveLength(2);
    expect(found.warnings[0]).toMatch(/^plugin package assay-plugin-broken could not be loaded and was left out: boom at import$/);
    expect(found.warnings[1]).toMatch(/^plugin package assay-plugin-empty exports no plugin/);
    expect(found.warnings.join("\n")).not.toContain("unrelated-package");
    expect(found.warnings.join("\n")).not.toContain("@assay/core");
  });

  it("searches ancestors' node_modules and lets the first folder win", async () => {
    const nested = join(root, "a", "b");
    await mkdir(join(nested, "node_modules"), { recursive: true });
    await symlink(join(root, "node_modules", "assay-plugin-test"), join(nested, "node_modules", "assay-plugin-test"), "dir");
    const found = await discoverPlugins({ from: [nested, root] });
    expect(found.plugins.map((p) => p.packageName)).toEqual(["@acme/assay-plugin-extra", "assay-plugin-test"]);
    expect(found.plugins[1]!.directory).toBe(join(root, "node_modules", "assay-plugin-test"));
  });

  it("finds nothing in a folder without node_modules", async () => {
    const found = await discoverPlugins({ from: ["/"] });
    expect(found.plugins).toEqual([]);
  });
});

describe("entryOf", () => {
  it("prefers ESM conditions of exports, then module, then main", () => {
    expect(entryOf({ exports: { ".": { import: { types: "a.d.ts", default: "./a.js" }, require: "./a.cjs" } } })).toBe("./a.js");
    expect(entryOf({ exports: "./x.js" })).toBe("./x.js");
    expect(entryOf({ exports: { require: "./r.cjs", default: "./d.js" } })).toBe("./d.js");
    expect(entryOf({ exports: { "./sub": "./s.js" } })).toBeUndefined();
    expect(entryOf({ module: "m.js", main: "c.js" })).toBe("m.js");
    expect(entryOf({ main: "c.js" })).toBe("c.js");
  });
});
