/**
 * Unique items' metadata, checked against the JSON Schema their item type declares
 * (item_types.metadata_schema). @cfworker/json-schema interprets schemas without generating code
 * (Workers forbid eval / new Function, which ajv needs).
 */
import { Validator, type Schema } from "@cfworker/json-schema";

const validators = new Map<string, Validator>();

function validatorFor(schema: Schema): Validator {
  const text = JSON.stringify(schema);
  let v = validators.get(text);
  if (!v) {
    if (validators.size > 500) validators.clear();
    validators.set(text, (v = new Validator(schema, "2020-12", false)));
  }
  return v;
}

/** Why `metadata` does not satisfy `schema` (first few problems, in words), or undefined. */
export function metadataProblem(schema: unknown, metadata: unknown): string | undefined {
  if (schema === null || schema === undefined) {
    return metadata !== null && typeof metadata === "object" && !Array.isArray(metadata) ? undefined : "metadata must be a JSON object";
  }
  const result = validatorFor(schema as Schema).validate(metadata);
  if (result.valid) return undefined;
  // The innermost problems say the most; drop the "properties/... failed" wrappers.
  const leaves = result.errors.filter((e) => !["properties", "allOf", "anyOf", "oneOf", "items", "$ref"].includes(e.keyword));
  return (leaves.length > 0 ? leaves : result.errors)
    .slice(0, 3)
    .map((e) => `${e.instanceLocation.replace(/^#/, "metadata") || "metadata"}: ${e.error}`)
    .join("; ");
}

/** Why a declared schema is unusable, or undefined. It must describe an object. */
export function schemaProblem(schema: unknown): string | undefined {
  if (schema === null) return undefined;
  if (typeof schema !== "object" || Array.isArray(schema)) return "metadataSchema must be a JSON Schema object (or null)";
  const s = schema as Record<string, unknown>;
  if (s.type !== "object") return 'metadataSchema must describe an object: give it "type": "object"';
  if (JSON.stringify(schema).length > 8_192) return "metadataSchema must be at most 8 KiB of JSON";
  try {
    new Validator(schema as Schema, "2020-12", false).validate({});
  } catch (error) {
    return `metadataSchema cannot be used: ${(error as Error).message}`;
  }
  return undefined;
}
