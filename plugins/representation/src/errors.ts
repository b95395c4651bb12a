import { AssayError } from "@assay/core";

/** Why an ontology was rejected. Core's codes have no ontology entry, so the reason travels here (and in `details.reason`). */
export type OntologyErrorReason = "ONTOLOGY_INVALID" | "ONTOLOGY_CYCLE" | "UNKNOWN_CONCEPT";

/**
 * An invalid ontology (duplicate id, malformed hierarchy node) or a query for an unknown concept.
 * An {@link AssayError} with code `INVALID_INPUT`; branch on {@link OntologyError.reason}.
 */
export class OntologyError extends AssayError {
  readonly reason: OntologyErrorReason;
  constructor(message: string, reason: OntologyErrorReason = "ONTOLOGY_INVALID", details: Record<string, unknown> = {}) {
    super("INVALID_INPUT", message, { plugin: "@assay/representation", stage: "ontology", details: { reason, ...details } });
    this.reason = reason;
  }
}

/** The ontology's is-a edges form a cycle; `concept` is the first concept (in insertion order) left in or below it. */
export class OntologyCycleError extends OntologyError {
  readonly concept: string;
  constructor(concept: string) {
    super(`Ontology contains a cycle involving '${concept}'`, "ONTOLOGY_CYCLE", { concept });
    this.concept = concept;
  }
}

/** An invalid argument of a representation or gap-report function (`INVALID_OPTION`). */
export function invalidOption(message: string, option: string): AssayError {
  return new AssayError("INVALID_OPTION", message, { plugin: "@assay/representation", details: { options: [option] } });
}
