import fs from "node:fs";

// Why an identity database could not be read, in words an operator can act on. Every Sydent
// reader turns exceptions into one of these instead of throwing to a page.

export type SydentErrorKind = "missing" | "unreadable" | "locked" | "not_sqlite" | "not_sydent" | "other";

export type SydentError = { kind: SydentErrorKind; message: string; code?: string };

export const ERROR_TITLES: Record<SydentErrorKind, string> = {
  missing: "Database file not found",
  unreadable: "Database file cannot be read",
  locked: "Database is locked",
  not_sqlite: "Not a SQLite database",
  not_sydent: "Not a Sydent database",
  other: "Database error",
};

/** Checks the path before SQLite sees it; null when it is a readable regular file. */
export function checkFile(file: string): SydentError | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing", message: `No file at ${file}.`, code };
    return { kind: "unreadable", message: `Cannot access ${file}: ${(e as Error).message}`, code };
  }
  if (!stat.isFile()) return { kind: "unreadable", message: `${file} is not a regular file (a directory?).`, code: "EISDIR" };
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    return { kind: "unreadable", message: `No permission to read ${file}.`, code: (e as NodeJS.ErrnoException).code };
  }
  return null;
}

/** Maps a better-sqlite3 / Prisma / fs exception to a classified error. */
export function classifyError(e: unknown, file: string, busyTimeoutMs?: number): SydentError {
  const err = e as { code?: string; message?: string; cause?: unknown };
  const code = String(err?.code ?? "");
  const message = String(err?.message ?? e);
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || /database is locked|SQLITE_BUSY/i.test(message)) {
    const waited = busyTimeoutMs === undefined ? "" : ` (waited ${busyTimeoutMs} ms)`;
    return { kind: "locked", message: `${file} is locked by another process${waited}; try again shortly.`, code: code || "SQLITE_BUSY" };
  }
  if (code === "SQLITE_NOTADB" || /file is not a database/i.test(message)) {
    return { kind: "not_sqlite", message: `${file} is not a SQLite database.`, code: code || "SQLITE_NOTADB" };
  }
  if (code === "ENOENT") return { kind: "missing", message: `No file at ${file}.`, code };
  if (code === "EACCES" || code === "EPERM" || code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_PERM")) {
    return { kind: "unreadable", message: `Cannot open ${file}: ${message}`, code };
  }
  if (code === "SQLITE_CORRUPT") return { kind: "not_sqlite", message: `${file} is damaged: ${message}`, code };
  return { kind: "other", message: `${file}: ${message}`, code: code || undefined };
}
