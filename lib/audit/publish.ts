import fs from "node:fs";
import path from "node:path";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { CheckpointRow } from "@/lib/audit/checkpoint";
import { sthFromRow, type SignedTreeHead } from "@/lib/audit/sth";

// Publication of every sealed tree head to CUSTODIAN_STH_PUBLISH_DIR (mount it from somewhere the
// console cannot rewrite: another host, a WORM bucket, a directory whose files are chattr +a).
// Heads are queued while the sealing transaction runs and written only after it committed (the
// row is read back), so a rolled-back seal never publishes a head the log does not hold.
// Files are created with "wx" (never overwritten): sth-<size, 12 digits>-<sealedAt>.json.

const pending: CheckpointRow[] = [];

export function queuePublication(row: CheckpointRow): void {
  if (env().CUSTODIAN_STH_PUBLISH_DIR && pending.length < 1000) pending.push(row);
}

export function sthFileName(sth: SignedTreeHead): string {
  return `sth-${String(sth.size).padStart(12, "0")}-${sth.sealedAt.replace(/[:.]/g, "")}.json`;
}

export function writeSthFile(dir: string, sth: SignedTreeHead): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, sthFileName(sth));
  try {
    fs.writeFileSync(file, JSON.stringify(sth, null, 2) + "\n", { flag: "wx", mode: 0o644 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return file;
}

/** Called after a transaction that may have sealed; errors are reported, never thrown. */
export async function flushPublications(): Promise<void> {
  const dir = env().CUSTODIAN_STH_PUBLISH_DIR;
  if (!dir || !pending.length) return;
  const rows = pending.splice(0);
  for (const r of rows) {
    try {
      const committed = await db().accessLogCheckpoint.findUnique({ where: { id: r.id } });
      if (committed && committed.signature === r.signature) writeSthFile(dir, sthFromRow(committed));
    } catch (e) {
      console.error(`[custodian] tree head publication failed: ${(e as Error).message}`);
    }
  }
}
