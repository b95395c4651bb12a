import { z } from "zod";
import { AssayError } from "./errors.js";

/**
 * Validate a node's options against its zod schema. Object schemas are made strict, so an unknown key
 * is an error too. Throws `INVALID_OPTION` naming the node and every offending option.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  context: { node: string; plugin?: string },
): z.output<S> {
  const strictSchema = schema instanceof z.ZodObject ? (schema as z.ZodObject).strict() : schema;
  const parsed = strictSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data as z.output<S>;
  const problems = parsed.error.issues.map((issue) => describeIssue(issue));
  const options = parsed.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys" ? issue.keys : [issue.path.map(String).join(".") || "(options)"],
  );
  throw new AssayError("INVALID_OPTION", `${context.node}: ${problems.join("; ")}`, {
    ...context,
    stage: "options",
    details: { options },
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown option${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  const path = issue.path.map(String).join(".");
  return path ? `option "${path}": ${issue.message}` : issue.message;
}

/** The JSON Schema of a node's options (for `assay list` and generated configs). */
export function optionsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
}
