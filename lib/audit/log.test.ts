import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAccess } from "@/lib/audit/log";
import { entryHash, GENESIS_HASH } from "@/lib/audit/chain";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();
const actor = { id: null, label: "cli:test", role: "admin" };

describe("access log append", () => {
  it("chains entries: seq without gaps, each prevHash the previous hash", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAccess({ actor, action: "test.append", outcome: "ok", target: { type: "email", value: `P${i}@Example.org` } }),
      ),
    );
    const rows = await db().accessLogEntry.findMany({ orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) expect(rows[i].prevHash).toBe(rows[i - 1].hash);
      expect(entryHash(rows[i])).toBe(rows[i].hash);
      expect(rows[i].targetPseudonym).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows[i])).not.toContain("example.org");
    }
  });

  it("the database refuses UPDATE and DELETE on entries (PostgreSQL: the console's role lacks the privilege)", async () => {
    await expect(db().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "action" = 'x' WHERE "seq" = 1`)).rejects.toThrow(/append-only|permission denied/);
    await expect(db().$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" = 1`)).rejects.toThrow(/append-only|permission denied/);
  });
});
