import fs from "node:fs";
import path from "node:path";
import { env, type Env } from "@/lib/env";
import { publicKeyFileFor } from "@/lib/audit/checkpoint-key";

// Server log paths (and globs) must stay inside the configured log roots (CUSTODIAN_LOG_ROOTS,
// default "/var/log:$CUSTODIAN_DATA_DIR/demo"), so a registered server cannot make the console read
// /etc/shadow or another service's files. Checked when a path is registered and again when it is
// read, on the resolved path and, for existing files, on the real path (symlinks followed).
//
// Whatever the roots, the console's own files are never log files: the log search reads them,
// and retention enforcement and phase-2 scrubbing rewrite or delete them. A root that holds the
// data directory (or a symlink from /var/log into it) must not let a registered path reach the
// checkpoint signing key, the console's SQLite database, its package store or the HAProxy block
// lists.

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

const inside = (p: string, root: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

export function isInsideLogRoots(p: string, roots = env().logRoots): boolean {
  const abs = path.resolve(p);
  const real = realOrSelf(abs);
  return roots.some((r) => inside(abs, r) || inside(abs, realOrSelf(r))) && roots.some((r) => inside(real, realOrSelf(r)) || inside(real, r));
}

export function logRootsMessage(): string {
  return `Log paths must be inside the configured log roots (CUSTODIAN_LOG_ROOTS: ${env().logRoots.join(", ")}).`;
}

/** One of the console's own files (folder: everything inside it); real: its real path, when it exists. */
export type OwnPath = { what: string; path: string; real: string; folder: boolean };

/** The console's own files and folders, from the configuration. */
export function consoleOwnPaths(e: Env = env()): OwnPath[] {
  const own: Omit<OwnPath, "real">[] = [
    { what: "the folder of the checkpoint signing key", path: path.resolve(e.CUSTODIAN_DATA_DIR, "keys"), folder: true },
    { what: "the checkpoint signing key", path: path.resolve(e.checkpointKeyFile), folder: false },
    { what: "the checkpoint public key", path: path.resolve(publicKeyFileFor(e.checkpointKeyFile)), folder: false },
    { what: "the HAProxy block-list folder", path: path.resolve(e.haproxyBlockDir), folder: true },
    // lib/exports/store.ts exportsDir(): encrypted access and portability packages.
    { what: "the folder of access and portability packages", path: path.resolve(e.CUSTODIAN_DATA_DIR, "exports"), folder: true },
  ];
  if (e.CUSTODIAN_STH_PUBLISH_DIR) own.push({ what: "the signed tree head publish folder", path: path.resolve(e.CUSTODIAN_STH_PUBLISH_DIR), folder: true });
  if (e.consoleDbKind === "sqlite") {
    const file = path.resolve(e.CONSOLE_DATABASE_URL.replace(/^file:/, "")); // as lib/db.ts sqlitePathFromUrl
    for (const suffix of ["", "-wal", "-shm", "-journal"]) own.push({ what: "the console database", path: file + suffix, folder: false });
  }
  return own.map((o) => ({ ...o, real: realOrSelf(o.path) }));
}

function matches(candidate: string, o: OwnPath): boolean {
  return [o.path, o.real].some((t) => (o.folder ? inside(candidate, t) : candidate === t));
}

/** The console's own file or folder that `p` is or lies in (resolved and real path), or null. */
export function consoleOwnFile(p: string, own = consoleOwnPaths()): OwnPath | null {
  const abs = path.resolve(p);
  const real = realOrSelf(abs);
  return own.find((o) => matches(abs, o) || matches(real, o)) ?? null;
}

/**
 * For a pattern "<dir>/<name with * or ?>": the console's own file in <dir> whose name the pattern
 * matches (existing or not yet), or null. `matchName` is the pattern's last segment as a test.
 * Folders are left out: a pattern expands to regular files only, never into a folder.
 */
export function consoleOwnFileMatching(dir: string, matchName: (name: string) => boolean, own = consoleOwnPaths()): OwnPath | null {
  const d = path.resolve(dir);
  const dirs = new Set([d, realOrSelf(d)]);
  return own.find((o) => !o.folder && [o.path, o.real].some((t) => dirs.has(path.dirname(t)) && matchName(path.basename(t)))) ?? null;
}

/** Names the refused path and what it is. `pattern`: the configured path or pattern. */
export function ownFileMessage(pattern: string, o: OwnPath, how: "is" | "matches"): string {
  const what = how === "matches" ? `matches ${o.what}` : o.folder && path.resolve(pattern) !== o.path ? `is inside ${o.what}` : `is ${o.what}`;
  return `${pattern} ${what} (${o.path}): the console's own files are never log files.`;
}
