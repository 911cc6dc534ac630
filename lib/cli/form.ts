import { z } from "zod";
import { printJson } from "@/lib/cli/command";

// Commands that do what a page's form does parse their options with that form's own zod schema
// (lib/<area>/schemas.ts), so the rules and messages are the same. Bad input: exit 2 with the
// field errors as JSON, nothing changed.

export const INVALID = 2;

/** Option values as the form's text fields: only strings, trimmed by the schemas themselves. */
export function formFields(values: Record<string, unknown>, map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([field, option]) => [field, typeof values[option] === "string" ? (values[option] as string) : ""]));
}

export function parseForm<S extends z.ZodType>(schema: S, fields: Record<string, unknown>): z.infer<S> | null {
  const r = schema.safeParse(fields);
  if (r.success) return r.data;
  printJson({ ok: false, code: "invalid", message: r.error.issues[0]?.message ?? "Check the options.", errors: z.flattenError(r.error).fieldErrors });
  return null;
}

/** A refusal by the rules (lib/<area> functions): JSON on stdout, exit 1. */
export function refused(message: string, code = "refused"): number {
  printJson({ ok: false, code, message });
  return 1;
}
