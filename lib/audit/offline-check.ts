import type { z } from "zod";

// Shared by the offline checks (audit:check-evidence, audit:check-proofs): damaged input is
// reported as named problems, never as a stack trace.

/** "entries[3].seq" from a zod issue path. */
function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}

/** One problem per zod issue, prefixed with where it is ("trail.json: [0].entries[2].at: not a date"). */
export function shapeProblems(where: string, error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const at = pathText(i.path);
    const msg = /received undefined$/.test(i.message) ? "missing" : i.message;
    return `${where}: ${at ? `${at}: ` : ""}${msg}`;
  });
}

/** JSON.parse that names the file instead of throwing: { value } or { problem }. */
export function parseJsonFile(name: string, bytes: Buffer | undefined): { value: unknown } | { problem: string } {
  if (bytes === undefined) return { problem: `${name}: missing` };
  try {
    return { value: JSON.parse(bytes.toString("utf8")) };
  } catch {
    return { problem: `${name}: not valid JSON` };
  }
}
