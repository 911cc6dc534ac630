import { tokenHit } from "@/lib/erasure/token-hit";
import type Database from "better-sqlite3";
import { IdentityDbUnavailable, locateIds } from "@/lib/erasure/ops-db";
import { checkFile, classifyError } from "@/lib/sydent/errors";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import { casefold, type Medium } from "@/lib/sydent/normalise";
import { sydentRaw } from "@/lib/sydent/open";
import type { SydentCheck } from "@/lib/erasure/verify-sydent";

// After phase 1, per server: the lookups Sydent would run, and plain checks of every store.
// API: verifyServer(file, ids, {nowMs}) -> VerifyResult (counts and tombstone ids only, no
// personal data, so it can be stored in ErasureStep.result and the receipt);
// jsonEscaped(s) (how Python's json.dumps writes a string inside sgAssoc).
//   v1      SELECT ... WHERE medium = ? AND lower(address) = lower(?) AND notBefore < now AND notAfter > now
//   bulk    the same for the whole list; v2 sha256: lookup_hash IN (hashes with THIS server's pepper)
//   store-invite's "already bound" check (M_THREEPID_IN_USE): any global row for the 3PID.
// Tombstones of the subject's 3PIDs are not leftovers: they are listed with the peers still behind
// (phase 2 prunes them once every active peer has them).

export type SubjectIds = { emails: string[]; msisdns: string[]; mxids: string[]; sids: string[] };
export type VerifyResult = {
  ok: boolean;
  lookups: { v1Found: number; bulkFound: number; v2Found: number; storeInviteInUse: number; checked3pids: number };
  /** Rows still holding the subject's data, per store (counts). */
  leftovers: Record<string, number>;
  tombstones: { id: number; behind: string[] }[];
  pepperKnown: boolean;
  /** Sydent's own answers (verify-sydent.ts), when the server's client API URL is registered. */
  sydent?: SydentCheck;
};

/** Python json.dumps (ensure_ascii) form of a string's characters, as stored in sgAssoc. */
export function jsonEscaped(s: string): string {
  return [...s].map((c) => (c.charCodeAt(0) < 128 ? c : c.split("").map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""))).join("");
}

export function threepidsOf(ids: SubjectIds): { medium: Medium; address: string }[] {
  return [...ids.emails.map((a) => ({ medium: "email" as const, address: a })), ...ids.msisdns.map((a) => ({ medium: "msisdn" as const, address: a }))];
}

export function openRead(file: string): Database.Database {
  const problem = checkFile(file);
  if (problem) throw new IdentityDbUnavailable(problem.kind === "missing" ? "missing" : "readonly");
  try {
    return sydentRaw(file);
  } catch (e) {
    const k = classifyError(e, file).kind;
    throw new IdentityDbUnavailable(k === "locked" ? "locked" : k === "not_sqlite" || k === "not_sydent" ? "not-sydent" : "readonly");
  }
}

const q = (n: number) => Array(n).fill("?").join(",");

export async function verifyServer(file: string, ids: SubjectIds, o: { nowMs?: number } = {}): Promise<VerifyResult> {
  const db = openRead(file);
  try {
    return await verifyOn(db, ids, o.nowMs ?? Date.now());
  } catch (e) {
    if (e instanceof IdentityDbUnavailable) throw e;
    const k = classifyError(e, file).kind;
    if (k === "locked") throw new IdentityDbUnavailable("locked");
    throw e;
  }
}

async function verifyOn(db: Database.Database, ids: SubjectIds, now: number): Promise<VerifyResult> {
  const tps = threepidsOf(ids);
  const pepper = (db.prepare("SELECT lookup_pepper AS p FROM hashing_metadata WHERE id = 0").get() as { p: string } | undefined)?.p ?? null;
  const v1 = db.prepare("SELECT mxid FROM global_threepid_associations WHERE medium = ? AND lower(address) = lower(?) AND notBefore < ? AND notAfter > ? ORDER BY ts DESC LIMIT 1");
  const inUse = db.prepare("SELECT 1 FROM global_threepid_associations WHERE medium = ? AND lower(address) = lower(?) LIMIT 1");
  let v1Found = 0;
  let storeInviteInUse = 0;
  for (const t of tps) {
    if (v1.get(t.medium, t.address, now, now)) v1Found++;
    if (inUse.get(t.medium, t.address)) storeInviteInUse++;
  }
  // bulk_lookup: one statement for the list, as Sydent's getMxids does (per medium, lower(address)).
  let bulkFound = 0;
  for (const m of ["email", "msisdn"] as const) {
    const list = tps.filter((t) => t.medium === m).map((t) => t.address.toLowerCase());
    if (list.length) bulkFound += (db.prepare(`SELECT count(*) AS n FROM global_threepid_associations WHERE medium = ? AND lower(address) IN (${q(list.length)}) AND notBefore < ? AND notAfter > ?`).get(m, ...list, now, now) as { n: number }).n;
  }
  let v2Found = 0;
  if (pepper && tps.length) {
    const hashes = tps.map((t) => lookupHash(t.medium, t.address, pepper));
    v2Found = (db.prepare(`SELECT count(*) AS n FROM global_threepid_associations WHERE lookup_hash IN (${q(hashes.length)}) AND notBefore < ? AND notAfter > ?`).get(...hashes, now, now) as { n: number }).n;
  }

  const leftovers: Record<string, number> = {};
  const add = (k: string, n: number) => n > 0 && (leftovers[k] = (leftovers[k] ?? 0) + n);
  const wanted = new Set(tps.map((t) => `${t.medium}:${t.medium === "email" ? casefold(t.address) : t.address}`));
  const norm = (m: string, a: string) => `${m}:${m === "email" ? casefold(a.trim()) : a.replace(/\D/g, "")}`;
  const mx = ids.mxids;
  const tombstones: VerifyResult["tombstones"] = [];
  const peers = db.prepare("SELECT name, lastSentVersion AS v FROM peers WHERE active = 1").all() as { name: string; v: number | null }[];

  // The scans filter in SQL first (a superset of what is checked in JS below): rows whose ASCII-
  // lowered address is one of the subject's, rows naming one of their Matrix IDs, and every row
  // with a non-ASCII address (rare; SQLite's lower() cannot fold those, so JS casefolds them).
  // Only those candidates cross into JavaScript, instead of every row of each table.
  const lowered = [...new Set(tps.flatMap((t) => (t.medium === "email" ? [casefold(t.address)] : [t.address, `+${t.address}`])))];
  const addrWhere = (extra: string) =>
    `lower(address) IN (${q(lowered.length) || "NULL"}) OR address GLOB '*[^ -~]*'${extra ? ` OR ${extra}` : ""}`;
  const mxWhere = (col: string) => (mx.length ? `${col} IN (${q(mx.length)})` : "");
  const local = await locateIds<{ id: number; medium: string; address: string; mxid: string | null }>(
    db, "local_threepid_associations", "id, medium, address, mxid", addrWhere(mxWhere("mxid")), [...lowered, ...mx]);
  for (const r of local) {
    const mine = wanted.has(norm(r.medium, r.address));
    if (mine && r.mxid === null) tombstones.push({ id: r.id, behind: peers.filter((p) => p.v === null || p.v < r.id).map((p) => p.name) });
    else if (mine || (r.mxid && mx.includes(r.mxid))) add("local_threepid_associations", 1);
  }
  const needles = [...new Set([...tps.flatMap((t) => [t.address, jsonEscaped(t.address)]), ...mx])];
  const like = needles.map(() => "instr(lower(sgAssoc), lower(?)) > 0").join(" OR ") || "0";
  const global = await locateIds<{ id: number; medium: string; address: string; mxid: string }>(
    db, "global_threepid_associations", "id, medium, address, mxid", addrWhere(mxWhere("mxid")), [...lowered, ...mx]);
  const globalHits = new Set(global.filter((r) => wanted.has(norm(r.medium, r.address)) || mx.includes(r.mxid)).map((r) => r.id));
  // Candidates by substring in SQL; a hit is a whole token (tokenHit: not inside a longer address).
  const lowNeedles = needles.map((n) => n.replace(/[A-Z]+/g, (c) => c.toLowerCase()));
  for (const r of await locateIds<{ id: number; s: string }>(db, "global_threepid_associations", "id, lower(sgAssoc) AS s", like, needles)) {
    if (lowNeedles.some((n) => tokenHit(r.s, n))) globalHits.add(r.id);
  }
  add("global_threepid_associations", globalHits.size);

  const sidList = ids.sids.map(Number).filter(Number.isFinite);
  const sessions = await locateIds<{ id: number; medium: string; address: string }>(
    db, "threepid_validation_sessions", "id, medium, address", addrWhere(sidList.length ? `id IN (${q(sidList.length)})` : ""), [...lowered, ...sidList]);
  add("threepid_validation_sessions", sessions.filter((s) => wanted.has(norm(s.medium, s.address)) || ids.sids.includes(String(s.id))).length);
  if (ids.sids.length) add("threepid_token_auths", (db.prepare(`SELECT count(*) AS n FROM threepid_token_auths WHERE validationSession IN (${q(ids.sids.length)})`).get(...ids.sids.map(Number)) as { n: number }).n);
  const invites = await locateIds<{ medium: string; address: string; sender: string }>(
    db, "invite_tokens", "medium, address, sender", addrWhere(mxWhere("sender")), [...lowered, ...mx]);
  add("invite_tokens", invites.filter((i) => wanted.has(norm(i.medium, i.address)) || mx.includes(i.sender)).length);
  if (mx.length) {
    add("accounts", (db.prepare(`SELECT count(*) AS n FROM accounts WHERE user_id IN (${q(mx.length)})`).get(...mx) as { n: number }).n);
    add("accepted_terms_urls", (db.prepare(`SELECT count(*) AS n FROM accepted_terms_urls WHERE user_id IN (${q(mx.length)})`).get(...mx) as { n: number }).n);
    add("tokens", (await locateIds<{ n: number }>(db, "tokens", "1 AS n", `user_id IN (${q(mx.length)})`, mx)).length);
  }
  const lookups = { v1Found, bulkFound, v2Found, storeInviteInUse, checked3pids: tps.length };
  const ok = v1Found + bulkFound + v2Found + storeInviteInUse === 0 && Object.keys(leftovers).length === 0;
  return { ok, lookups, leftovers, tombstones, pepperKnown: !!pepper };
}
