import { tokenHit } from "@/lib/erasure/token-hit";
import type Database from "better-sqlite3";
import { IdentityDbUnavailable, locateIds } from "@/lib/erasure/ops-db";
import { MultiNeedle } from "@/lib/erasure/multi-needle";
import { jsonEscaped, openRead, threepidsOf, type SubjectIds, type VerifyResult } from "@/lib/erasure/verify";
import { classifyError } from "@/lib/sydent/errors";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import { casefold } from "@/lib/sydent/normalise";

// Batch verification (issue 7, item 6): the checks of verify.ts verifyServer for many subjects in
// one pass over each table instead of one pass per subject. Every statement takes the union of the
// subjects' identifiers and the rows found are attributed back to each subject in JavaScript with
// the same rules, so each subject gets exactly the VerifyResult verifyServer would give it
// (verify-batch.test.ts checks this on the real fixtures). The sgAssoc text search, the costly
// part (every signed association read once), matches all subjects' needles at once with a
// many-needle automaton (multi-needle.ts) instead of one instr() per needle per subject.
// Reads are chunked (5,000 rowids per statement, yielding between chunks) like verifyServer's.

const q = (n: number) => Array(n).fill("?").join(",");
const IN_CHUNK = 500;
/** SQLite's lower(): ASCII only. */
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (c) => c.toLowerCase());
const norm = (m: string, a: string) => `${m}:${m === "email" ? casefold(a.trim()) : a.replace(/\D/g, "")}`;
const uniq = <T>(xs: T[]) => [...new Set(xs)];

function grouped(db: Database.Database, sql: (ph: string) => string, values: unknown[], pre: unknown[], post: unknown[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < values.length; i += IN_CHUNK) {
    const part = values.slice(i, i + IN_CHUNK);
    for (const r of db.prepare(sql(q(part.length))).all(...pre, ...part, ...post) as { k: string | number; n: number }[]) out.set(String(r.k), (out.get(String(r.k)) ?? 0) + r.n);
  }
  return out;
}

/** Reads `id, lower(sgAssoc)` of every global row in rowid chunks and reports which needles each holds. */
async function scanSgAssoc(db: Database.Database, finder: MultiNeedle, onRow: (id: number, needles: Set<number>, text: string) => void, size = 5000): Promise<void> {
  const bound = db.prepare("SELECT rowid AS r FROM global_threepid_associations WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ?");
  const top = db.prepare("SELECT max(rowid) AS r FROM global_threepid_associations");
  const stmt = db.prepare("SELECT id, lower(sgAssoc) AS s FROM global_threepid_associations WHERE rowid > ? AND rowid <= ?");
  let lo = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const hi = (bound.get(lo, size - 1) as { r: number } | undefined)?.r ?? (top.get() as { r: number | null }).r;
    if (hi === null || hi === undefined || hi <= lo) break;
    for (const r of stmt.iterate(lo, hi) as Iterable<{ id: number; s: string | null }>) {
      if (!r.s) continue;
      const hits = finder.find(r.s);
      if (hits.size) onRow(r.id, hits, r.s);
    }
    lo = hi;
    await new Promise((res) => setImmediate(res));
  }
}

export async function verifyServerBatch(file: string, list: SubjectIds[], o: { nowMs?: number } = {}): Promise<VerifyResult[]> {
  if (!list.length) return [];
  const db = openRead(file);
  try {
    return await batchOn(db, list, o.nowMs ?? Date.now());
  } catch (e) {
    if (e instanceof IdentityDbUnavailable) throw e;
    if (classifyError(e, file).kind === "locked") throw new IdentityDbUnavailable("locked");
    throw e;
  }
}

async function batchOn(db: Database.Database, list: SubjectIds[], now: number): Promise<VerifyResult[]> {
  const tpsOf = list.map(threepidsOf);
  const pepper = (db.prepare("SELECT lookup_pepper AS p FROM hashing_metadata WHERE id = 0").get() as { p: string } | undefined)?.p ?? null;
  const res: VerifyResult[] = list.map((ids, i) => ({
    ok: false, lookups: { v1Found: 0, bulkFound: 0, v2Found: 0, storeInviteInUse: 0, checked3pids: tpsOf[i].length }, leftovers: {}, tombstones: [], pepperKnown: !!pepper,
  }));
  const add = (i: number, k: string, n: number) => n > 0 && (res[i].leftovers[k] = (res[i].leftovers[k] ?? 0) + n);

  // Lookups: one grouped statement per medium over the union of lower-cased addresses.
  for (const m of ["email", "msisdn"] as const) {
    const asked = uniq(tpsOf.flatMap((tps) => tps.filter((t) => t.medium === m).flatMap((t) => [asciiLower(t.address), t.address.toLowerCase()])));
    if (!asked.length) continue;
    const live = grouped(db, (ph) => `SELECT lower(address) AS k, count(*) AS n FROM global_threepid_associations WHERE medium = ? AND lower(address) IN (${ph}) AND notBefore < ? AND notAfter > ? GROUP BY lower(address)`, asked, [m], [now, now]);
    const any = grouped(db, (ph) => `SELECT lower(address) AS k, count(*) AS n FROM global_threepid_associations WHERE medium = ? AND lower(address) IN (${ph}) GROUP BY lower(address)`, asked, [m], []);
    tpsOf.forEach((tps, i) => {
      const mine = tps.filter((t) => t.medium === m);
      for (const t of mine) {
        if (live.has(asciiLower(t.address))) res[i].lookups.v1Found++;
        if (any.has(asciiLower(t.address))) res[i].lookups.storeInviteInUse++;
      }
      for (const a of uniq(mine.map((t) => t.address.toLowerCase()))) res[i].lookups.bulkFound += live.get(a) ?? 0;
    });
  }
  if (pepper) {
    const hashesOf = tpsOf.map((tps) => uniq(tps.map((t) => lookupHash(t.medium, t.address, pepper))));
    const live = grouped(db, (ph) => `SELECT lookup_hash AS k, count(*) AS n FROM global_threepid_associations WHERE lookup_hash IN (${ph}) AND notBefore < ? AND notAfter > ? GROUP BY lookup_hash`, uniq(hashesOf.flat()), [], [now, now]);
    hashesOf.forEach((hs, i) => hs.forEach((h) => (res[i].lookups.v2Found += live.get(h) ?? 0)));
  }

  // Who each normalised 3PID / Matrix ID / session id belongs to.
  const byNorm = new Map<string, number[]>();
  const byMxid = new Map<string, number[]>();
  const bySid = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, k: string, i: number) => {
    const l = map.get(k) ?? map.set(k, []).get(k)!;
    if (l[l.length - 1] !== i) l.push(i);
  };
  list.forEach((ids, i) => {
    for (const t of tpsOf[i]) push(byNorm, `${t.medium}:${t.medium === "email" ? casefold(t.address) : t.address}`, i);
    for (const m of ids.mxids) push(byMxid, m, i);
    for (const s of ids.sids) push(bySid, s, i);
  });
  const owners = (map: Map<string, number[]>, k: string | null) => (k === null ? [] : map.get(k) ?? []);
  const lowered = uniq(tpsOf.flat().flatMap((t) => (t.medium === "email" ? [casefold(t.address)] : [t.address, `+${t.address}`])));
  const mx = uniq(list.flatMap((ids) => ids.mxids));
  const addrWhere = (extra: string) => `lower(address) IN (${q(lowered.length) || "NULL"}) OR address GLOB '*[^ -~]*'${extra ? ` OR ${extra}` : ""}`;
  const mxWhere = (col: string) => (mx.length ? `${col} IN (${q(mx.length)})` : "");

  const peers = db.prepare("SELECT name, lastSentVersion AS v FROM peers WHERE active = 1").all() as { name: string; v: number | null }[];
  const local = await locateIds<{ id: number; medium: string; address: string; mxid: string | null }>(
    db, "local_threepid_associations", "id, medium, address, mxid", addrWhere(mxWhere("mxid")), [...lowered, ...mx]);
  for (const r of local) {
    const mine = new Set(owners(byNorm, norm(r.medium, r.address)));
    for (const i of mine) {
      if (r.mxid === null) res[i].tombstones.push({ id: r.id, behind: peers.filter((p) => p.v === null || p.v < r.id).map((p) => p.name) });
      else add(i, "local_threepid_associations", 1);
    }
    for (const i of owners(byMxid, r.mxid)) if (!mine.has(i)) add(i, "local_threepid_associations", 1);
  }

  const globalHits = list.map(() => new Set<number>());
  const global = await locateIds<{ id: number; medium: string; address: string; mxid: string }>(
    db, "global_threepid_associations", "id, medium, address, mxid", addrWhere(mxWhere("mxid")), [...lowered, ...mx]);
  for (const r of global) for (const i of [...owners(byNorm, norm(r.medium, r.address)), ...owners(byMxid, r.mxid)]) globalHits[i].add(r.id);
  // sgAssoc text search: needle -> subjects, as verifyServer's instr(lower(sgAssoc), lower(needle)).
  const needleOwners = new Map<string, number[]>();
  list.forEach((ids, i) => {
    for (const n of uniq([...tpsOf[i].flatMap((t) => [t.address, jsonEscaped(t.address)]), ...ids.mxids])) push(needleOwners, asciiLower(n), i);
  });
  const needles = [...needleOwners.keys()];
  if (needles.length) {
    const finder = new MultiNeedle(needles);
    await scanSgAssoc(db, finder, (id, hits, text) => {
      // A hit is a whole token (tokenHit), as in verifyServer: not inside a longer address.
      for (const h of hits) if (tokenHit(text, needles[h])) for (const i of needleOwners.get(needles[h])!) globalHits[i].add(id);
    });
  }
  globalHits.forEach((s, i) => add(i, "global_threepid_associations", s.size));

  const sidNums = uniq(list.flatMap((ids) => ids.sids.map(Number).filter(Number.isFinite)));
  const sessions = await locateIds<{ id: number; medium: string; address: string }>(
    db, "threepid_validation_sessions", "id, medium, address", addrWhere(sidNums.length ? `id IN (${q(sidNums.length)})` : ""), [...lowered, ...sidNums]);
  for (const s of sessions) for (const i of uniq([...owners(byNorm, norm(s.medium, s.address)), ...owners(bySid, String(s.id))])) add(i, "threepid_validation_sessions", 1);
  const allSids = uniq(list.flatMap((ids) => ids.sids.map(Number)));
  if (allSids.length) {
    const auths = grouped(db, (ph) => `SELECT validationSession AS k, count(*) AS n FROM threepid_token_auths WHERE validationSession IN (${ph}) GROUP BY validationSession`, allSids, [], []);
    list.forEach((ids, i) => uniq(ids.sids.map(Number)).forEach((s) => add(i, "threepid_token_auths", auths.get(String(s)) ?? 0)));
  }
  const invites = await locateIds<{ medium: string; address: string; sender: string }>(
    db, "invite_tokens", "medium, address, sender", addrWhere(mxWhere("sender")), [...lowered, ...mx]);
  for (const inv of invites) for (const i of uniq([...owners(byNorm, norm(inv.medium, inv.address)), ...owners(byMxid, inv.sender)])) add(i, "invite_tokens", 1);
  if (mx.length) {
    const perUser = (sql: (ph: string) => string) => grouped(db, sql, mx, [], []);
    const accounts = perUser((ph) => `SELECT user_id AS k, count(*) AS n FROM accounts WHERE user_id IN (${ph}) GROUP BY user_id`);
    const terms = perUser((ph) => `SELECT user_id AS k, count(*) AS n FROM accepted_terms_urls WHERE user_id IN (${ph}) GROUP BY user_id`);
    const tokens = new Map<string, number>();
    for (const t of await locateIds<{ u: string }>(db, "tokens", "user_id AS u", `user_id IN (${q(mx.length)})`, mx)) tokens.set(t.u, (tokens.get(t.u) ?? 0) + 1);
    list.forEach((ids, i) => {
      for (const m of uniq(ids.mxids)) {
        add(i, "accounts", accounts.get(m) ?? 0);
        add(i, "accepted_terms_urls", terms.get(m) ?? 0);
        add(i, "tokens", tokens.get(m) ?? 0);
      }
    });
  }
  for (const r of res) {
    const l = r.lookups;
    r.ok = l.v1Found + l.bulkFound + l.v2Found + l.storeInviteInUse === 0 && Object.keys(r.leftovers).length === 0;
  }
  return res;
}
