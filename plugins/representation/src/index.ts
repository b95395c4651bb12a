/**
 * @assay/representation: ontologies (class hierarchies), label representation against them
 * (DataEval `Representation`: acquire / augment worklist, leaf coverage, dark branches) and the
 * combined gap report that joins it with the coverage lens.
 * @module
 */
import { definePlugin } from "@assay/core";
import { gapsDetector, representationDetector } from "./detectors.js";

export { casefold } from "./casefold.js";
export { OntologyCycleError, OntologyError, type OntologyErrorReason } from "./errors.js";
export { compareCodePoints, Ontology, type Concept, type ConceptInput, type Hierarchy } from "./ontology.js";
export { loadOntology, parseOntology } from "./load.js";
export { ontologyFacts, type OntologyFacts } from "./facts.js";
export { labelCoverage, type Fraction, type LabelCoverage } from "./label-coverage.js";
export {
  evaluateRepresentation,
  type DarkBranch,
  type FloorViolation,
  type RepresentationAction,
  type RepresentationInput,
  type RepresentationResult,
  type WorklistRow,
} from "./representation.js";
export {
  GAP_RULES,
  gapReport,
  renderGapTable,
  type BranchAction,
  type BranchGapRow,
  type CoverageRowLike,
  type GapAction,
  type GapReport,
  type GapReportInput,
  type GapReportOptions,
  type GapRow,
} from "./gap-report.js";
export { coverageAnalysisArtifact, gapsDetector, representationDetector, representationFindings } from "./detectors.js";

/** The representation plugin: detectors `representation` and `gaps` (both need an `ontology` option). */
export const plugin = definePlugin({
  name: "@assay/representation",
  version: "0.1.0",
  description: "Class representation against an ontology, and the combined gap report",
  detectors: [representationDetector, gapsDetector],
});
