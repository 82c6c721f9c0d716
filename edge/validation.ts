/**
 * Shared zod building blocks for forms and the JSON API. Strings are bounded and free of control
 * characters; numbers are safe integers (never floats, never beyond 2^53).
 */
import { z } from "zod";

const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Text of 1..max characters, no control characters, no broken UTF-16. */
export const text = (field: string, max: number, min = 1) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .min(min, min === 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters`)
    .max(max, `${field} must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), `${field} must not contain control characters`)
    .refine((s) => !LONE_SURROGATE.test(s), `${field} must be valid Unicode`);

export const Username = z
  .string({ error: (i) => (i.input === undefined ? "username is required" : "username must be a string") })
  .min(3, "username must be 3-24 characters")
  .max(24, "username must be 3-24 characters")
  .regex(/^[A-Za-z0-9_-]+$/, "username may contain only letters, digits, _ and -");

export const Password = text("password", 128, 8).meta({ format: "password" });

/** A JSON number that is an integer in 1..2^53-1. */
export const positiveSafeInt = (field: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a number`) })
    .int(`${field} must be a whole number`)
    .min(1, `${field} must be at least 1`)
    .max(max, `${field} must be at most ${max}`);

/** A query-string integer: digits only (no sign, exponent, fraction or spaces), 1..max. */
export const queryPositiveInt = (field: string, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, `${field} must be a whole number between 1 and ${max}`)
    .transform(Number)
    .pipe(positiveSafeInt(field, max));

export const Credentials = z.strictObject({ username: Username, password: Password });
export type Credentials = z.infer<typeof Credentials>;

/**
 * One sentence per problem, in the style of every message people read (API and pages alike): it
 * says what is wrong, names the field as the API spells it, and ends with a full stop:
 * "The username must be 3-24 characters." The machine side stays in the API's `code` and each
 * issue's `path`.
 */
export function describeIssues(error: z.ZodError): { message: string; issues: { path: string; message: string }[] } {
  const issues = error.issues.map((i) => {
    const path = i.path.map(String).join(".");
    let message = i.message;
    if (i.code === "unrecognized_keys") message = `${path ? `${path} has` : "the request has"} an unknown field${i.keys.length > 1 ? "s" : ""}: ${i.keys.join(", ")}; remove ${i.keys.length > 1 ? "them" : "it"}`;
    else if (i.code === "invalid_type" && i.expected === "object") message = `${path || "body"} must be a JSON object`;
    // Our own messages name their field; zod's defaults ("Too big: ...") do not: say which one.
    const field = String(i.path.at(-1) ?? "");
    if (field && !message.includes(field)) message = `${path}: ${message}`;
    return { path, message: issueSentence(message) };
  });
  return { message: issues.map((i) => i.message).join(" "), issues };
}

/** "username must be 3-24 characters" -> "The username must be 3-24 characters." */
export function issueSentence(message: string): string {
  const m = message.trim();
  const stop = /[.!?]$/.test(m) ? "" : ".";
  // A clause that starts with a field's name (lower case, as the API spells it) reads "The <field> ...",
  // a problem put after its field's path "The field <path>: ...".
  if (/^[a-z][A-Za-z0-9_.]*( must| may| is| has| are)\b/.test(m)) return `The ${m}${stop}`;
  if (/^[a-z][A-Za-z0-9_.]*: /.test(m)) return `The field ${m}${stop}`;
  return `${m.charAt(0).toUpperCase()}${m.slice(1)}${stop}`;
}
