import fs from "node:fs";

// Shared by the offline checks (audit:check-evidence, audit:check-proofs). Exit codes follow
// audit:verify: 0 intact, 1 NOT intact, 2 could not check; and 3: intact and consistent, but no
// key was pinned, so who signed it is unknown (a forger's own key passes that far).

export const CHECK_EXIT = { ok: 0, notValid: 1, couldNotCheck: 2, unpinned: 3 } as const;

/** Reads a file for an offline check, or says in one line why it cannot (exit 2). */
export function readForCheck(file: string, what: string): { bytes: Buffer } | { error: string } {
  try {
    return { bytes: fs.readFileSync(file) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: `${what} ${file}: ${code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message}` };
  }
}

/** The pack (or proofs file) and the pinned key's text, or the reason neither can be read. */
export function readInputs(file: string, what: string, keyFile: string | undefined): { bytes: Buffer; key?: string } | { error: string } {
  const main = readForCheck(file, what);
  if ("error" in main) return main;
  if (!keyFile) return main;
  const key = readForCheck(keyFile, "public key file");
  if ("error" in key) return key;
  return { bytes: main.bytes, key: key.bytes.toString("utf8") };
}

export function printProblems(title: string, problems: string[]): void {
  console.error(`${title} NOT valid: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
