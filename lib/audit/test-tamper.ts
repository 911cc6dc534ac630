import { createConsoleDb, db, type ConsoleDb } from "@/lib/db";
import { env } from "@/lib/env";
import { entryHash } from "@/lib/audit/chain";

// Test-only helpers that attack the access log "behind the application's back", as someone with
// raw database access would: drop the append-only triggers, then edit rows directly. On
// PostgreSQL the console's own role cannot do that (INSERT/SELECT only), so the attacks run as the
// tables' owner (CONSOLE_OWNER_DATABASE_URL, set by lib/test/console-db.ts).

let owner: { url: string; client: ConsoleDb } | null = null;

/** A client with the owner's rights (the console's own client on SQLite). */
export function tamperDb(): ConsoleDb {
  const url = process.env.CONSOLE_OWNER_DATABASE_URL;
  if (env().consoleDbKind === "sqlite" || !url || url === process.env.CONSOLE_DATABASE_URL) return db();
  if (owner?.url !== url) {
    void owner?.client.$disconnect();
    owner = { url, client: createConsoleDb(url) };
  }
  return owner.client;
}

export async function dropAppendOnlyTriggers(): Promise<void> {
  if (env().consoleDbKind === "sqlite") {
    for (const t of [
      "AccessLogEntry_no_update", "AccessLogEntry_no_delete", "AccessLogCheckpoint_no_update", "AccessLogCheckpoint_no_delete",
      "AccessLogEntry_next_seq_only", "AccessLogCheckpoint_next_only", "AccessLogTreeNode_no_update", "AccessLogTreeNode_no_delete",
    ]) {
      await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "${t}"`);
    }
  } else {
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogEntry_append_only" ON "AccessLogEntry"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogEntry_no_truncate" ON "AccessLogEntry"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogCheckpoint_append_only" ON "AccessLogCheckpoint"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogCheckpoint_no_truncate" ON "AccessLogCheckpoint"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogEntry_next_seq_only" ON "AccessLogEntry"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogCheckpoint_next_only" ON "AccessLogCheckpoint"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogTreeNode_append_only" ON "AccessLogTreeNode"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogTreeNode_no_truncate" ON "AccessLogTreeNode"`);
  }
}

/** Recomputes hash and prevHash from `fromSeq` to the end and moves the head: a keyless rewrite. */
export async function rehashFrom(fromSeq: number): Promise<void> {
  const rows = await tamperDb().accessLogEntry.findMany({ where: { seq: { gte: fromSeq - 1 } }, orderBy: { seq: "asc" } });
  let prevHash = rows[0].seq === fromSeq - 1 ? rows[0].hash : "0".repeat(64);
  for (const r of rows) {
    if (r.seq < fromSeq) continue;
    const hash = entryHash({ ...r, prevHash });
    await tamperDb().accessLogEntry.update({ where: { seq: r.seq }, data: { prevHash, hash } });
    prevHash = hash;
  }
  const last = rows[rows.length - 1];
  await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: last.seq, hash: prevHash } });
}

/** Deletes entries after `keepSeq` and every checkpoint beyond it, and moves the head back. */
export async function truncateTo(keepSeq: number): Promise<void> {
  await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogCheckpoint" WHERE "seq" > ${keepSeq}`);
  await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" > ${keepSeq}`);
  const last = await tamperDb().accessLogEntry.findUnique({ where: { seq: keepSeq } });
  await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: keepSeq, hash: last?.hash ?? "0".repeat(64) } });
}

/** TRUNCATE (PostgreSQL) or DELETE FROM (SQLite) of both log tables, head back to genesis. */
export async function truncateAll(): Promise<void> {
  const kw = env().consoleDbKind === "sqlite" ? "DELETE FROM" : "TRUNCATE";
  await tamperDb().$executeRawUnsafe(`${kw} "AccessLogCheckpoint"`);
  await tamperDb().$executeRawUnsafe(`${kw} "AccessLogEntry"`);
  await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: 0, hash: "0".repeat(64) } });
}
