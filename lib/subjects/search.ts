import type Database from "better-sqlite3";
import { checkFile, classifyError } from "@/lib/sydent/errors";
import { sydentRaw } from "@/lib/sydent/open";
import { getServer, listServers } from "@/lib/servers/queries";
import { findEmbedded } from "@/lib/subjects/search-embedded";
import { StatementTimer } from "@/lib/subjects/search-scan";
import * as read from "@/lib/subjects/search-server";
import { keyOf, type GlobalRow, type LocalRow } from "@/lib/subjects/search-server";
import { associationsOf, dedupe } from "@/lib/subjects/search-assoc";
import type { Medium, SearchProgress, ServerFindings, ServerRef, SubjectFindings, SubjectQuery } from "@/lib/subjects/types";

// Finds a person in every registered identity database (sydent.md 2.6).
// 1. Resolution, repeated until nothing new turns up: each known 3PID is looked up on every
//    server (indexed); the Matrix IDs bound to it are noted. The query's own Matrix ID is
//    reverse-searched (chunked scans: Sydent has no mxid index); with `expand` (dpo) so is every
//    Matrix ID found, so the result is the person's full record. Without it (support), the
//    3PID's own records plus the bound Matrix ID's account and invites, not its other 3PIDs.
// 2. Details per server: validation sessions, invites to and from, v2 accounts, peers and other
//    people's rows embedding the person (search-embedded.ts).
// Values in the result are IN CLEAR: mask before display (lib/subjects/present.ts).

export type SearchServer = ServerRef & { dbPath?: string };
export type SearchOptions = {
  expand: boolean;
  servers?: SearchServer[];
  onProgress?: (p: SearchProgress) => void;
  /** "Now" for answersLookupsNow (ms); tests pass truth.json's reference_now. */
  nowMs?: number;
};
export type SearchResult = Pick<SubjectFindings, "identifiers" | "servers" | "expanded" | "foundAnywhere">;

type Ctx = {
  ref: ServerRef;
  db: Database.Database | null;
  error?: string;
  timer: StatementTimer;
  local: Map<number, LocalRow>;
  global: Map<number, GlobalRow>;
  done3pids: Set<string>;
  progress: read.Progress;
};

async function resolveServers(list?: SearchServer[]): Promise<(ServerRef & { dbPath: string })[]> {
  if (!list) return (await listServers()).map((s) => ({ id: s.id, label: s.label, serverName: s.serverName, dbPath: s.dbPath }));
  return Promise.all(
    list.map(async (s) => ({ id: s.id, label: s.label, serverName: s.serverName, dbPath: s.dbPath ?? (await getServer(s.id))?.dbPath ?? "" })),
  );
}

function openCtx(s: ServerRef & { dbPath: string }, onProgress?: SearchOptions["onProgress"]): Ctx {
  const ref: ServerRef = { id: s.id, label: s.label, serverName: s.serverName };
  const base = { ref, timer: new StatementTimer(), local: new Map(), global: new Map(), done3pids: new Set<string>(), progress: (step: string, chunksDone?: number) => onProgress?.({ server: s.label, step, chunksDone }) };
  const problem = s.dbPath ? checkFile(s.dbPath) : { message: "No database file is registered for this server." };
  if (problem) return { ...base, db: null, error: problem.message };
  try {
    const db = sydentRaw(s.dbPath);
    db.prepare("SELECT 1 FROM local_threepid_associations LIMIT 1").get();
    return { ...base, db };
  } catch (e) {
    return { ...base, db: null, error: classifyError(e, s.dbPath).message };
  }
}

/** Runs `fn` on every readable server; a failure marks that server, the others continue. */
async function eachServer(ctxs: Ctx[], fn: (c: Ctx, db: Database.Database) => Promise<void> | void): Promise<void> {
  for (const c of ctxs) {
    if (!c.db) continue;
    try {
      await fn(c, c.db);
    } catch (e) {
      c.error = classifyError(e, c.db.name).message;
      c.db = null;
    }
  }
}

const splitKey = (k: string) => {
  const i = k.indexOf(":");
  return { medium: k.slice(0, i) as Medium, address: k.slice(i + 1) };
};

export async function searchIdentityServers(query: SubjectQuery, opts: SearchOptions): Promise<SearchResult> {
  const ctxs = (await resolveServers(opts.servers)).map((s) => openCtx(s, opts.onProgress));
  const threepids = new Set<string>();
  const mxids = new Set<string>();
  const toReverse = new Set<string>();
  const reversed = new Set<string>();

  const noteRows = (c: Ctx, local: LocalRow[], global: GlobalRow[]) => {
    for (const r of local) c.local.set(r.id, r);
    for (const r of global) c.global.set(r.id, r);
    for (const r of [...local, ...global]) {
      if (!r.mxid || mxids.has(r.mxid)) continue;
      mxids.add(r.mxid);
      if (opts.expand) toReverse.add(r.mxid);
    }
  };

  if (query.kind === "email" || query.kind === "msisdn") threepids.add(keyOf(query.kind, query.address));
  if (query.kind === "mxid") {
    mxids.add(query.mxid);
    toReverse.add(query.mxid);
  }
  if (query.kind === "lookup_hash") {
    await eachServer(ctxs, async (c, db) => {
      c.progress("lookup hash");
      const { local, global } = await read.byLookupHash(db, c.timer, query.hash, c.progress);
      for (const r of [...local, ...global]) threepids.add(keyOf(r.medium, r.address));
      noteRows(c, local, global);
    });
  }

  // 1. Resolution.
  for (let round = 0; round < 20; round++) {
    const fresh3pids = [...threepids];
    await eachServer(ctxs, (c, db) => {
      for (const k of fresh3pids) {
        if (c.done3pids.has(k)) continue;
        c.done3pids.add(k);
        const { medium, address } = splitKey(k);
        const global = read.globalByAddress(db, c.timer, medium, address);
        const spellings = [...new Set([address, ...global.map((g) => g.address)])];
        noteRows(c, read.localByAddress(db, c.timer, medium, spellings), global);
      }
    });
    const rev = [...toReverse].filter((m) => !reversed.has(m));
    if (rev.length === 0) break;
    rev.forEach((m) => reversed.add(m));
    await eachServer(ctxs, async (c, db) => {
      c.progress("reverse lookup");
      const local = await read.localByMxids(db, c.timer, rev, c.progress);
      const global = await read.globalByMxids(db, c.timer, rev, c.progress);
      for (const r of [...local, ...global]) threepids.add(keyOf(r.medium, r.address));
      noteRows(c, local, global);
    });
    if ([...threepids].every((k) => ctxs.every((c) => !c.db || c.done3pids.has(k)))) break;
  }

  // 2. Details.
  const findings = new Map<Ctx, ServerFindings>();
  const sids = new Set<string>();
  const mxidList = [...mxids];
  await eachServer(ctxs, async (c, db) => {
    const peers = read.peersOf(db, c.timer);
    c.progress("validation sessions");
    const sessions = await read.sessionsFor(db, c.timer, threepids, c.progress);
    // Pre-2.4.0 local rows kept the spelling as typed; sessions show those spellings.
    const invitesTo = [];
    for (const k of threepids) {
      const { medium, address } = splitKey(k);
      const typed = sessions.filter((s) => keyOf(s.medium, s.addressAsStored) === k).map((s) => s.addressAsStored);
      const known = new Set([address, ...[...c.global.values()].filter((g) => keyOf(g.medium, g.address) === k).map((g) => g.address)]);
      const extra = typed.filter((t) => !known.has(t));
      if (extra.length) noteRows(c, read.localByAddress(db, c.timer, medium, [...new Set(extra)]), []);
      invitesTo.push(...read.invitesTo(db, c.timer, medium, [...new Set([...known, ...typed])]));
    }
    c.progress("invites and accounts");
    const invitesFrom = await read.invitesFrom(db, c.timer, mxidList);
    const accounts = await read.accountsFor(db, c.timer, mxidList);
    c.progress("signed associations of other people");
    const embeddedInOthers = await findEmbedded(db, c.timer, { addresses: threepids, mxids });
    sessions.forEach((s) => sids.add(s.sid));
    findings.set(c, {
      server: c.ref,
      ok: true,
      associations: associationsOf(c.ref, c.local.values(), c.global.values(), peers, opts.nowMs ?? Date.now()),
      sessions,
      invitesTo: dedupe(invitesTo),
      invitesFrom,
      account: accounts[0] ?? null,
      accounts,
      embeddedInOthers,
      peers: peers.map((p) => ({ name: p.name, active: p.active })),
      timingsMs: {},
    });
  });

  const servers: ServerFindings[] = ctxs.map((c) => {
    const f = c.db ? findings.get(c) : undefined;
    const timingsMs = c.timer.toRecord();
    if (f) return { ...f, timingsMs };
    return { server: c.ref, ok: false, error: c.error ?? "The database could not be read.", associations: [], sessions: [], invitesTo: [], invitesFrom: [], account: null, accounts: [], embeddedInOthers: [], peers: [], timingsMs };
  });
  const keys = [...threepids].map(splitKey);
  return {
    identifiers: {
      emails: keys.filter((k) => k.medium === "email").map((k) => k.address).sort(),
      msisdns: keys.filter((k) => k.medium === "msisdn").map((k) => k.address).sort(),
      mxids: mxidList.sort(),
      sids: [...sids].sort(),
    },
    servers,
    expanded: opts.expand,
    foundAnywhere: servers.some((s) => s.ok && (s.associations.length || s.sessions.length || s.invitesTo.length || s.invitesFrom.length || s.accounts?.length || s.embeddedInOthers.length)),
  };
}
