import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { casefold } from "./casefold.js";
import { OntologyCycleError, OntologyError } from "./errors.js";
import { ontologyFacts } from "./facts.js";
import { loadOntology, parseOntology } from "./load.js";
import { Ontology } from "./ontology.js";
import { SEED } from "./test-fixtures.js";


function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("OR-1 structure of the seed ontology", () => {
  const o = Ontology.fromHierarchy(SEED);
  it("ids, leaves, roots, branches, depth", () => {
    expect(o.toString()).toBe("Ontology(19 concepts, 1 roots, 10 leaves, 0 external)");
    expect(o.ids).toEqual([
      "subject", "vehicle", "wheeled", "automobile", "truck", "airborne", "airplane", "waterborne", "ship",
      "animal", "mammal", "cat", "dog", "deer", "horse", "avian", "bird", "amphibian", "frog",
    ]);
    expect(o.leaves).toEqual(["automobile", "truck", "airplane", "ship", "cat", "dog", "deer", "horse", "bird", "frog"]);
    expect(o.roots).toEqual(["subject"]);
    expect(o.branches).toEqual(["subject", "vehicle", "wheeled", "airborne", "waterborne", "animal", "mammal", "avian", "amphibian"]);
    expect(o.depth("subject")).toBe(0);
    expect([o.depth("vehicle"), o.depth("animal")]).toEqual([1, 1]);
    expect(["wheeled", "airborne", "waterborne", "mammal", "avian", "amphibian"].map((x) => o.depth(x))).toEqual([2, 2, 2, 2, 2, 2]);
    expect(o.leaves.every((l) => o.depth(l) === 3)).toBe(true);
    expect(o.children("mammal")).toEqual(["cat", "dog", "deer", "horse"]);
    expect(o.ancestors("cat")).toEqual(["mammal", "animal", "subject"]);
    expect(o.descendants("vehicle")).toEqual(["wheeled", "airborne", "waterborne", "automobile", "truck", "airplane", "ship"]);
  });
  it("unknown concept → UNKNOWN_CONCEPT", () => {
    const e = thrown(() => o.children("zebra")) as OntologyError;
    expect(e).toBeInstanceOf(AssayError);
    expect(e.reason).toBe("UNKNOWN_CONCEPT");
  });
});

describe("OR-6 DAG structure", () => {
  it("a leaf under two parents", () => {
    const o = Ontology.fromHierarchy({ vehicle: { land: ["car", "amphibious"], water: ["amphibious", "boat"] } });
    expect(o.ids).toEqual(["vehicle", "land", "car", "amphibious", "water", "boat"]);
    expect(o.leaves).toEqual(["car", "amphibious", "boat"]);
    expect(o.get("amphibious").parents).toEqual(["land", "water"]);
    expect(o.depth("amphibious")).toBe(2);
    expect(o.ancestors("amphibious")).toEqual(["land", "water", "vehicle"]);
    expect(o.parentLabels("amphibious")).toBe("land, water");
  });
});

describe("OR-10 hierarchy grammar and errors", () => {
  it("strings, empty containers, re-parenting, multi-parent", () => {
    const a = Ontology.fromHierarchy({ a: "b" });
    expect([a.roots, a.leaves, a.get("b").parents]).toEqual([["a"], ["b"], ["a"]]);
    const b = Ontology.fromHierarchy({ a: [], b: {} });
    expect([b.roots, b.leaves]).toEqual([["a", "b"], ["a", "b"]]);
    const c = Ontology.fromHierarchy({ x: null, y: { x: null } });
    expect([c.ids, c.get("x").parents, c.roots, c.leaves]).toEqual([["x", "y"], ["y"], ["y"], ["x"]]);
    const d = Ontology.fromHierarchy({ a: { b: null }, c: { b: { d: null } } });
    expect([d.ids, d.get("b").parents, d.roots, d.leaves]).toEqual([["a", "b", "c", "d"], ["a", "c"], ["a", "c"], ["d"]]);
    expect(Ontology.fromHierarchy({ p: ["q", "q"] }).get("q").parents).toEqual(["p"]);
    const e = Ontology.fromHierarchy(["a", { b: ["a"] }]);
    expect([e.get("a").parents, e.roots]).toEqual([["b"], ["b"]]);
    expect(Ontology.fromHierarchy([]).size).toBe(0);
    const solo = Ontology.fromHierarchy("solo");
    expect([solo.roots, solo.leaves]).toEqual([["solo"], ["solo"]]);
  });
  it("malformed nodes", () => {
    const bad: unknown[] = [{ car: [123] }, { a: new Set([1.5]) }, new Map<unknown, unknown>([[5, ["a"]]]), { a: true }, { a: new Uint8Array([1]) }];
    for (const h of bad) {
      const e = thrown(() => Ontology.fromHierarchy(h));
      expect(e).toBeInstanceOf(OntologyError);
      expect((e as OntologyError).message).toMatch(/^Unexpected hierarchy node /);
      expect((e as OntologyError).code).toBe("INVALID_INPUT");
    }
    expect((thrown(() => Ontology.fromHierarchy({ car: [123] })) as Error).message.startsWith("Unexpected hierarchy node 123")).toBe(true);
  });
  it("cycles", () => {
    for (const [h, id] of [
      [{ a: { b: { a: null } } }, "a"],
      [{ a: ["a"] }, "a"],
      [{ x: { y: { z: ["x"] } }, w: ["z"] }, "x"],
    ] as const) {
      const e = thrown(() => Ontology.fromHierarchy(h)) as OntologyCycleError;
      expect(e).toBeInstanceOf(OntologyCycleError);
      expect(e.reason).toBe("ONTOLOGY_CYCLE");
      expect(e.message).toBe(`Ontology contains a cycle involving '${id}'`);
    }
  });
  it("duplicate concept id", () => {
    const e = thrown(() => Ontology.fromConcepts([{ id: "x" }, { id: "x" }])) as OntologyError;
    expect(e.message).toBe("Duplicate concept id: 'x'");
    expect(e.reason).toBe("ONTOLOGY_INVALID");
  });
  it("external parents", () => {
    const o = Ontology.fromConcepts([{ id: "a", parents: ["ext:root"] }, { id: "b", parents: ["a"] }]);
    expect(o.externalIds).toEqual(["ext:root"]);
    expect(o.roots).toEqual([]);
    expect([o.depth("a"), o.depth("b")]).toEqual([1, 2]);
    expect(o.toString()).toBe("Ontology(2 concepts, 0 roots, 1 leaves, 1 external)");
    expect(o.ancestors("b")).toEqual(["a", "ext:root"]);
  });
  it("find is case-insensitive", () => {
    const o = Ontology.fromHierarchy({ animal: { mammal: ["cat", "dog"], bird: ["owl", "hawk"] } });
    expect(o.find("CAT")).toEqual(["cat"]);
    expect(o.find("Mammal")).toEqual(["mammal"]);
    expect(o.find("zebra")).toEqual([]);
  });
});

describe("OR-8 labels and synonyms", () => {
  it("label collisions", () => {
    const o = Ontology.fromConcepts([{ id: "a", label: "car" }, { id: "b", label: "auto", synonyms: ["car"] }, { id: "c", label: "truck" }]);
    expect([...o.labelCollisions]).toEqual([["car", ["a", "b"]]]);
    expect(o.find("Car")).toEqual(["a", "b"]);
    expect(o.find("b")).toEqual(["b"]);
  });
  it("casefold", () => {
    expect(casefold("Straße")).toBe(casefold("STRASSE"));
    expect(casefold("ΟΔΟΣ")).toBe(casefold("οδοσ"));
  });
});

describe("loadOntology", () => {
  const dir = mkdtempSync(join(tmpdir(), "assay-onto-"));
  it("reads JSON and YAML", async () => {
    writeFileSync(join(dir, "h.json"), JSON.stringify(SEED));
    writeFileSync(join(dir, "h.yaml"), "clothing:\n  tops: [shirt, pullover]\n  footwear:\n    - sneaker\n    - boot\n");
    expect((await loadOntology(join(dir, "h.json"))).toString()).toBe("Ontology(19 concepts, 1 roots, 10 leaves, 0 external)");
    const y = await loadOntology(join(dir, "h.yaml"));
    expect(y.leaves).toEqual(["shirt", "pullover", "sneaker", "boot"]);
  });
  it("concept lists, bad files", async () => {
    expect(parseOntology('{"concepts":[{"id":"a"},{"id":"b","parents":["a"]}]}', "json").leaves).toEqual(["b"]);
    writeFileSync(join(dir, "cycle.yaml"), "a:\n  b:\n    a: null\n");
    const e = await loadOntology(join(dir, "cycle.yaml")).catch((x) => x);
    expect(e).toBeInstanceOf(OntologyCycleError);
    expect(e.message).toContain("cycle.yaml");
    expect(e.details.file).toContain("cycle.yaml");
    const missing = await loadOntology(join(dir, "nope.json")).catch((x) => x);
    expect(missing.code).toBe("IO_ERROR");
    writeFileSync(join(dir, "broken.json"), "{");
    const broken = await loadOntology(join(dir, "broken.json")).catch((x) => x);
    expect(broken).toBeInstanceOf(OntologyError);
    expect(broken.message).toContain("not valid JSON");
    writeFileSync(join(dir, "dup.yaml"), "a: [x]\na: [y]\n");
    expect(await loadOntology(join(dir, "dup.yaml")).catch((x) => x)).toBeInstanceOf(OntologyError);
  });
});

describe("ontologyFacts", () => {
  it("reports structure", () => {
    const o = Ontology.fromConcepts([
      { id: "root" },
      { id: "a", parents: ["root"] },
      { id: "b", parents: ["a", "root"] },
      { id: "solo" },
      { id: "x", parents: ["ext"] },
    ]);
    const f = ontologyFacts(o, { labelPattern: "[a-z]" });
    expect(f.isolated).toEqual(["solo"]);
    expect(f.redundantEdges).toEqual([["b", "root"]]);
    expect(f.ancestorSiblings).toEqual([["b", "a"]]);
    expect(f.unaryParents).toEqual(["a"]);
    expect([...f.externalAncestors]).toEqual([["x", ["ext"]]]);
    expect(f.labelMismatches).toEqual(["root", "solo"]);
    expect(f.concepts.get("b")).toEqual({ depth: 2, fanOut: 0, parentCount: 2 });
  });
});
