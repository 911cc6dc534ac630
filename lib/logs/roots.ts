import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

// Server log paths (and globs) must stay inside the configured log roots (CUSTODIAN_LOG_ROOTS,
// default "/var/log:$CUSTODIAN_DATA_DIR"), so a registered server cannot make the console read
// /etc/shadow or another service's files. Checked when a path is registered and again when it is
// read, on the resolved path and, for existing files, on the real path (symlinks followed).

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
