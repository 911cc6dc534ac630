import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryHash, GENESIS_HASH, referenceSerialise, type ChainFields } from "@/lib/audit/chain";
import { leafHash, MerkleFrontier } from "@/lib/audit/merkle";
import { FrontierBin, foldRootBin } from "@/lib/audit/hash-core.mjs";
import { ENTRY_COLUMNS, toEntryRow } from "@/lib/audit/sqlite-rows";
import { CANONICAL_SQL, isoAt, runChunk, tableShapeOk } from "@/lib/audit/verify-chunk.mjs";
import { ALL_CODE_POINTS, TRICKY_STRINGS } from "@/lib/audit/test-values";
import { migrateSqlite } from "@/lib/cli/migrate-runner";

// The SQLite fast path of audit:verify (lib/audit/verify-chunk.mjs) against the reference
// serialiser of lib/audit/chain.ts, on a real console database file: whatever the fast path
// accepts must be byte for byte what the reference writes, and everything else must be left to
// the reference ("deferred") or make the chunk fall back. No timing here.

const TEXT_COLS = ["actorId", "actorLabel", "actorRole", "action", "targetType", "targetPseudonym", "targetRef", "requestId", "purpose", "outcome", "ip", "userAgent", "details"] as const;
const NOT_NULL = new Set(["actorLabel", "actorRole", "action", "outcome"]);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-chunk-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshDb(): Database.Database {
  const file = path.join(dir, `log-${++n}.db`);
  migrateSqlite(file, path.resolve("prisma/console/migrations"));
  const db = new Database(file);
  db.exec(`DROP TRIGGER "AccessLogEntry_next_seq_only"; DROP TRIGGER "AccessLogEntry_no_update"; DROP TRIGGER "AccessLogEntry_no_delete"`);
  return db;
}

type Row = Omit<ChainFields, "at"> & { at: unknown; hash: string };
const insert = (db: Database.Database, rows: Row[]) => {
  const st = db.prepare(`INSERT INTO "AccessLogEntry" (${ENTRY_COLUMNS}) VALUES (${ENTRY_COLUMNS.split(",").map(() => "?").join(",")})`);
  db.transaction(() => {
    for (const r of rows) {
      st.run(r.seq, r.at, r.actorId, r.actorLabel, r.actorRole, r.action, r.targetType, r.targetPseudonym, r.targetRef, r.requestId, r.purpose, r.outcome, r.ip, r.userAgent, r.details, r.prevHash, r.hash);
    }
  })();
};
const readBack = (db: Database.Database) =>
  (db.prepare(`SELECT ${ENTRY_COLUMNS} FROM "AccessLogEntry" ORDER BY "seq"`).all() as Record<string, unknown>[]).map(toEntryRow);

/** A chained log: each entry's hash by the reference serialiser over the row as the database returns it. */
function chain(db: Database.Database, make: (seq: number) => Partial<Row>, count: number): void {
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const base: Row = {
      seq, at: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString().replace("Z", "+00:00"), actorId: `staff${seq % 7}`, actorLabel: "dpo@example.org",
      actorRole: "dpo", action: "subject.search", targetType: "email", targetPseudonym: "ab".repeat(32), targetRef: null, requestId: null,
      purpose: "request", outcome: "ok", ip: "192.0.2.1", userAgent: "test", details: null, prevHash: prev, hash: "",
      ...make(seq),
    };
    insert(db, [{ ...base, hash: "0".repeat(64) }]);
    const back = toEntryRow(db.prepare(`SELECT ${ENTRY_COLUMNS} FROM "AccessLogEntry" WHERE "seq" = ?`).get(seq) as Record<string, unknown>);
    const hash = entryHash(back);
    db.prepare(`UPDATE "AccessLogEntry" SET "hash" = ? WHERE "seq" = ?`).run(hash, seq);
    prev = hash;
  }
}

const digits = (s: number) => String(s).length;
/** The fast path's own test of a row's canonical text (verify-chunk.mjs). */
const accepted = (seq: number, text: string) => text.charCodeAt(digits(seq) + 1) === 44 && isoAt(text, digits(seq) + 2);

function canonicalTexts(db: Database.Database) {
  const texts = db.prepare(`SELECT ${CANONICAL_SQL} FROM "AccessLogEntry" ORDER BY "seq"`).pluck().all() as string[];
  return readBack(db).map((row, i) => ({ row, text: texts[i] }));
}

// at in the forms the console writes (accepted by the fast path) and in others (left to the reference).
const MS = [0, 1, 999, 1000, 86_399_999, 951_782_400_000, 1_767_225_600_123, 253_402_300_799_999, -62_167_219_200_000 + 86_400_000 * 366];
const GOOD_AT: unknown[] = [
  ...MS.filter((m) => m >= 0),
  ...Array.from({ length: 200 }, (_, i) => Math.floor(((i * 7919) % 1000) / 1000 * 253_402_300_799_999) + i),
  ...["0000-01-01T00:00:00.000", "0000-02-29T12:00:00.000", "2024-02-29T23:59:59.999", "2026-04-30T00:00:00.000", "2026-12-31T23:59:59.999", "9999-12-31T23:59:59.999", "1970-01-01T00:00:00.000", "1969-12-31T23:59:59.999"]
    .map((s) => s + "+00:00"),
];
const OTHER_AT: unknown[] = [
  -1, MS[MS.length - 1], 253_402_300_800_000, 1.5, 1_767_225_600_000.25, Buffer.from("2026"), "2026-01-01T00:00:00.000Z", "2026-01-01 00:00:00", "2026-01-01T00:00:00+00:00",
  "2023-02-29T00:00:00.000+00:00", "2026-02-30T00:00:00.000+00:00", "2026-04-31T00:00:00.000+00:00", "1900-02-29T00:00:00.000+00:00",
  "2026-01-01T24:00:00.000+00:00", "2026-01-01T23:60:00.000+00:00", "2026-01-01T23:59:60.000+00:00", "2026-13-01T00:00:00.000+00:00",
  "2026-00-10T00:00:00.000+00:00", "2026-01-00T00:00:00.000+00:00", "2026-01-01t00:00:00.000+00:00", "2026-01-01T00:00:00.000+01:00",
  "2026-01-01T00:00:00.000-00:00", "２０２６-01-01T00:00:00.000+00:00", "2026-01-01T00:00:00,000+00:00", '2026-01-01T00:00:00.0"0+00:00',
  "+02026-01-01T00:00:00.000+00:00", "2026-1-01T00:00:00.000+00:00 ",
];

describe("the SQLite canonical text (json_array) is the reference serialisation wherever the fast path takes it", () => {
  it("on every code point and on tricky strings, in every text column", () => {
    const db = freshDb();
    const values = [...ALL_CODE_POINTS, ...TRICKY_STRINGS];
    const rows: Row[] = values.map((v, i) => {
      const r: Record<string, unknown> = { seq: i + 1, at: "2026-01-01T00:00:00.000+00:00", prevHash: "p".repeat(64), hash: `${i}`.padStart(64, "0") };
      TEXT_COLS.forEach((c, k) => (r[c] = values[(i + k * 37) % values.length]));
      if (i % 5 === 0) for (const c of TEXT_COLS) if (!NOT_NULL.has(c)) r[c] = null;
      if (i % 3 === 0) r.prevHash = values[(i + 11) % values.length];
      return r as Row;
    });
    insert(db, rows);
    const all = canonicalTexts(db);
    expect(all).toHaveLength(values.length);
    for (const { row, text } of all) {
      expect(accepted(row.seq, text), `seq ${row.seq}`).toBe(true);
      expect(text, `seq ${row.seq}`).toBe(referenceSerialise(row));
    }
    db.close();
  });

  it("on at: the stored forms are taken and equal the reference; every other form is left to the reference", () => {
    const db = freshDb();
    const ats = [...GOOD_AT, ...OTHER_AT];
    insert(db, ats.map((at, i) => ({ ...({} as Row), seq: i + 1, at, actorId: null, actorLabel: "x", actorRole: "dpo", action: "a", targetType: null, targetPseudonym: null, targetRef: null, requestId: null, purpose: null, outcome: "ok", ip: null, userAgent: null, details: null, prevHash: GENESIS_HASH, hash: String(i).padStart(64, "0") })));
    const all = canonicalTexts(db);
    const taken = all.filter(({ row, text }) => accepted(row.seq, text));
    expect(taken.map(({ row }) => row.seq)).toEqual(GOOD_AT.map((_, i) => i + 1));
    for (const { row, text } of taken) expect(text, `at = ${String(ats[row.seq - 1])}`).toBe(referenceSerialise(row));
    db.close();
  });
});

describe("runChunk", () => {
  it("finds nothing in an intact log, flags seal entries, defers odd timestamps, and its trees are the RFC 6962 trees", () => {
    const db = freshDb();
    const count = 70;
    chain(db, (seq) => ({
      action: seq % 10 === 0 ? "accessLog.seal" : "subject.search",
      outcome: seq === 30 ? "error" : "ok",
      ...(seq % 9 === 0 ? { at: Date.UTC(2026, 0, 1) + seq } : seq % 13 === 0 ? { at: `2026-01-01T00:00:${String(seq % 60).padStart(2, "0")}.000Z` } : {}),
      details: seq % 4 === 0 ? TRICKY_STRINGS[seq % TRICKY_STRINGS.length] : null,
    }), count);
    expect(tableShapeOk(db, "verify")).toBe(true);
    const hashes = readBack(db).map((r) => r.hash);
    const sizes = Array.from({ length: count }, (_, i) => i + 1);
    for (const chunk of [1, 2, 4, 8, 16, 64, 128]) {
      const f = new FrontierBin();
      const deferred: number[] = [];
      const seals: number[] = [];
      let prevLast: string | null = GENESIS_HASH;
      for (let from = 1; from <= count; from += chunk) {
        const to = Math.min(count, from + chunk - 1);
        const c = runChunk(db, { mode: "verify", from, to, sizes });
        expect(c).toMatchObject({ contiguous: true, unsupported: false, count: to - from + 1, mismatches: [], linkBreaks: [] });
        expect(c.firstPrevHash).toBe(prevLast);
        prevLast = c.lastHash;
        deferred.push(...c.deferred);
        seals.push(...c.seals);
        const t = runChunk(db, { mode: "tree", from, to, sizes });
        expect(t.hashes).toEqual(c.hashes);
        for (const a of c.at) {
          const want = new MerkleFrontier();
          for (const h of hashes.slice(0, a.size)) want.push(leafHash(h));
          expect(Buffer.from(foldRootBin([...f.hashes, ...a.hashes]), "latin1"), `size ${a.size}`).toEqual(want.root());
          expect(a.hash).toBe(hashes[a.size - 1]);
        }
        for (let k = 0; k < c.levels.length; k++) f.pushSubtree(c.levels[k], c.hashes[k]);
      }
      expect(f.size).toBe(count);
      // unix ms (every 9th) is a form the fast path takes; ISO with "Z" (every 13th) is left to the reference.
      expect(deferred).toEqual(sizes.filter((s) => s % 13 === 0 && s % 9 !== 0));
      expect(seals).toEqual([10, 20, 40, 50, 60, 70]);
    }
    db.close();
  });

  it("reports hash mismatches and broken links exactly where the reference comparison does, however odd the stored hashes", () => {
    const db = freshDb();
    chain(db, () => ({}), 40);
    const set = (seq: number, col: string, v: unknown) => db.prepare(`UPDATE "AccessLogEntry" SET "${col}" = ? WHERE "seq" = ?`).run(v, seq);
    set(3, "purpose", "edited");
    set(5, "hash", "A".repeat(64)); // uppercase: not what SHA-256 hex is, but 64 characters
    set(6, "prevHash", "A".repeat(64)); // links to it
    set(9, "hash", `"${"a".repeat(62)}"`); // quotes
    set(10, "prevHash", `"${"a".repeat(62)}"`);
    set(13, "hash", "b".repeat(64));
    set(14, "prevHash", "B".repeat(64)); // does not link
    set(17, "prevHash", "not a hash");
    set(21, "at", Date.UTC(2030, 0, 1)); // a deferred entry that no longer hashes
    set(22, "prevHash", "c".repeat(64));
    set(25, "hash", "\u00e9".repeat(32) + "d".repeat(32)); // non-ASCII: 64 characters, more bytes
    const rows = readBack(db);
    const wantMismatch = rows.filter((r) => entryHash(r) !== r.hash).map((r) => r.seq);
    const wantLink = rows.filter((r, i) => i > 0 && r.prevHash !== rows[i - 1].hash).map((r) => r.seq);
    expect(wantMismatch).toEqual([3, 5, 6, 9, 10, 13, 14, 17, 21, 22, 25]);
    expect(wantLink).toEqual([14, 17, 22, 26]);
    for (const chunk of [1, 3, 8, 64]) {
      const mismatches: number[] = [];
      const links: number[] = [];
      let unsupported = false;
      let last: string | null | undefined = GENESIS_HASH; // undefined: the previous chunk was not handled
      for (let from = 1; from <= 40; from += chunk) {
        const c = runChunk(db, { mode: "verify", from, to: Math.min(40, from + chunk - 1), sizes: [] });
        if (c.unsupported) {
          unsupported = true;
          last = undefined;
          continue;
        }
        mismatches.push(...c.mismatches);
        for (const d of c.deferred) if (entryHash(rows[d - 1]) !== rows[d - 1].hash) mismatches.push(d);
        links.push(...c.linkBreaks);
        if (last !== undefined && c.firstPrevHash !== last) links.push(from);
        last = c.lastHash;
      }
      // The non-ASCII hash of entry 25 is not taken: its chunk falls back to the sequential path.
      expect(unsupported).toBe(true);
      const inHandled = (s: number) => {
        const from = Math.floor((s - 1) / chunk) * chunk + 1;
        return !(25 >= from && 25 <= from + chunk - 1) && !(s === 26 && 26 === from);
      };
      expect(mismatches.sort((a, b) => a - b)).toEqual(wantMismatch.filter(inHandled));
      expect(links.sort((a, b) => a - b)).toEqual(wantLink.filter(inHandled));
    }
    db.close();
  });

  it("gives up on what it does not handle: a gap, a BLOB in a text column, a hash that is not 64 ASCII characters, an altered table", () => {
    const db = freshDb();
    chain(db, () => ({}), 20);
    expect(runChunk(db, { mode: "verify", from: 1, to: 21, sizes: [] }).contiguous).toBe(false);
    db.prepare(`DELETE FROM "AccessLogEntry" WHERE "seq" = 7`).run();
    expect(runChunk(db, { mode: "verify", from: 5, to: 8, sizes: [] }).contiguous).toBe(false);
    expect(runChunk(db, { mode: "tree", from: 5, to: 8, sizes: [] }).contiguous).toBe(false);
    expect(runChunk(db, { mode: "verify", from: 8, to: 20, sizes: [] })).toMatchObject({ contiguous: true, unsupported: false, mismatches: [] });
    db.prepare(`UPDATE "AccessLogEntry" SET "details" = ? WHERE "seq" = 10`).run(Buffer.from("{}"));
    expect(runChunk(db, { mode: "verify", from: 8, to: 12, sizes: [] }).unsupported).toBe(true);
    db.prepare(`UPDATE "AccessLogEntry" SET "hash" = ? WHERE "seq" = 15`).run("f".repeat(63));
    expect(runChunk(db, { mode: "verify", from: 13, to: 16, sizes: [] }).unsupported).toBe(true);
    expect(runChunk(db, { mode: "tree", from: 13, to: 16, sizes: [] })).toMatchObject({ contiguous: true, unsupported: false });
    db.exec(`ALTER TABLE "AccessLogEntry" ADD COLUMN "extra" TEXT`);
    expect(tableShapeOk(db, "verify")).toBe(true);
    const db2 = freshDb();
    db2.exec(`CREATE TABLE "x" ("seq" INTEGER PRIMARY KEY, "details" NUMERIC); DROP TABLE "AccessLogEntry"; CREATE TABLE "AccessLogEntry" AS SELECT * FROM "x"`);
    expect(tableShapeOk(db2, "verify")).toBe(false);
    expect(tableShapeOk(db2, "tree")).toBe(false);
    db.close();
    db2.close();
  });
});

describe("isoAt", () => {
  it("accepts exactly the ISO strings that are their own toISOString()", () => {
    const cases: string[] = [];
    for (const y of ["0000", "0004", "1900", "2000", "2023", "2024", "9999"]) {
      for (let m = 0; m <= 13; m++) for (let d = 0; d <= 32; d++) cases.push(`${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}T12:34:56.789Z`);
    }
    for (const t of ["00:00:00.000", "23:59:59.999", "24:00:00.000", "23:60:00.000", "23:59:60.000", "99:99:99.999", "0a:00:00.000", "00:00:00.00a"]) cases.push(`2026-06-15T${t}Z`);
    for (const s of cases) {
      const d = new Date(s.replace("Z", "+00:00"));
      const want = !Number.isNaN(d.getTime()) && d.toISOString() === s;
      expect(isoAt(`[1,"${s}",`, 3), s).toBe(want);
    }
    expect(isoAt('[1,"2026-06-15T00:00:00.000Z"]', 3)).toBe(false); // no comma after it
    expect(isoAt("[1,null,", 3)).toBe(false);
  });
});
