import { accountsOf } from "@/lib/subjects/accounts";
import type { Medium, ServerFindings, SubjectFindings } from "@/lib/subjects/types";
import { casefold } from "@/lib/sydent/normalise";

// What an erasure will do, per registered server and store (sydent.md 2.7). API:
//   planErasure(findings, {servers}) -> ErasurePlan   (serialisable; values IN CLEAR: store it
//                                                       encrypted, mask before display)
//   planSteps(plan) -> StepSpec[]                      (ordered, idempotent steps for the engine)
//   planSummary(plan) -> counts without personal data  (access-log details, receipts)
// A binding is tombstoned ONLY on its origin server (local row bound there, or global rows with
// originServer = that server's name); every other server deletes its replicated global rows; an
// origin that is not registered here is listed as "owed by <peer>" (its operator must unbind).

export type PlanServer = { id: string; label: string; serverName: string };
export type Threepid = { medium: Medium; address: string; spellings: string[] };

export type ServerPlan = {
  server: PlanServer;
  readable: boolean;
  error?: string;
  /** Bindings that originated here: tombstone + delete global rows together. */
  tombstones: (Threepid & { boundLocalRows: number; alreadyTombstone: boolean; globalRows: number })[];
  /** Replicated copies of bindings that originated on a peer: delete the global rows here. */
  globalDeletes: (Threepid & { globalRows: number; origins: string[] })[];
  /** Bindings held here whose origin is a peer: registered (its own steps run there) or not (ask its operator). */
  originatedOnPeer: { medium: Medium; address: string; originServer: string; registered: boolean }[];
  sessions: { sids: string[]; count: number; tokenRows: number; threepids: { medium: Medium; address: string }[] };
  invitesTo: { threepids: Threepid[]; count: number; pending: number };
  invitesFrom: { mxids: string[]; count: number; pending: number };
  accounts: { mxid: string; tokens: number; acceptedTerms: number }[];
  /**
   * Other people's global rows whose sgAssoc embeds the subject (bystanders, issue 8). Default
   * "rebind": re-issued by Sydent on their origin (its unbind and tombstone remove the old rows), they stay bound
   * (lib/erasure/bystanders.ts). "unbind" only by an explicit, separately approved choice:
   * deleted, and tombstoned when they originated here. Old plans without `action` unbind.
   */
  embedding: { globalId: number; medium: Medium; address: string; mxid: string; originServer: string; tombstoneLocal: boolean; action?: "rebind" | "unbind"; unbindReason?: string; reissueOnly?: boolean }[];
  /** Tombstones of the subject already in the local table (phase 2 prunes them once delivered). */
  existingTombstones: { medium: Medium; address: string; id: number; undeliveredTo: string[] }[];
};

export type ErasurePlan = {
  version: 1;
  identifiers: SubjectFindings["identifiers"];
  servers: ServerPlan[];
  owedByUnregisteredPeers: { peer: string; medium: Medium; address: string }[];
  logs: { files: { file: string; source: string; matches: number; expiresAt: string | null }[]; lastCopyExpiresAt: string | null } | null;
  nothingHeld: boolean;
};

export type StepKind =
  | "tombstoneAndDeleteGlobal" | "deleteGlobal" | "deleteEmbeddingRows" | "rebindBystanders" | "deleteSessions"
  | "deleteInvitesTo" | "deleteInvitesFrom" | "deleteAccount" | "verify" | "pruneTombstone" | "scrubLogs";
export type StepSpec = { kind: StepKind; serverId: string | null; target: Record<string, unknown> };

const key = (m: string, a: string) => `${m}:${m === "email" ? casefold(a) : a.replace(/\D/g, "")}`;
const split = (k: string) => ({ medium: k.slice(0, k.indexOf(":")) as Medium, address: k.slice(k.indexOf(":") + 1) });

function serverPlan(f: ServerFindings, s: PlanServer, all: { findings: ServerFindings[]; names: Set<string> }): ServerPlan {
  const tombstones: ServerPlan["tombstones"] = [];
  const globalDeletes: ServerPlan["globalDeletes"] = [];
  const originatedOnPeer: ServerPlan["originatedOnPeer"] = [];
  const byKey = new Map<string, typeof f.associations>();
  for (const a of f.associations) byKey.set(key(a.medium, a.address), [...(byKey.get(key(a.medium, a.address)) ?? []), a]);
  for (const [k, rows] of byKey) {
    const { medium, address } = split(k);
    const spellings = [...new Set(rows.map((r) => r.address))];
    const local = rows.filter((r) => r.table === "local");
    const global = rows.filter((r) => r.table === "global");
    const bound = local.filter((r) => r.state === "bound");
    const ownGlobal = global.filter((r) => r.originServer === s.serverName);
    if (bound.length || ownGlobal.length) {
      tombstones.push({ medium, address, spellings, boundLocalRows: bound.length, alreadyTombstone: bound.length === 0 && local.length > 0, globalRows: global.length });
    } else if (global.length) {
      globalDeletes.push({ medium, address, spellings, globalRows: global.length, origins: [...new Set(global.map((r) => r.originServer))] });
    }
    for (const origin of new Set(global.map((r) => r.originServer).filter((o) => o !== s.serverName))) {
      originatedOnPeer.push({ medium, address, originServer: origin, registered: all.names.has(origin) });
    }
  }
  const accounts = accountsOf(f);
  const existingTombstones = f.associations
    .filter((a) => a.table === "local" && a.state === "tombstone")
    .map((a) => ({ medium: a.medium, address: a.address, id: a.id, undeliveredTo: (a.deliveredTo ?? []).filter((d) => d.active && !d.received).map((d) => d.peer) }));
  const threepidsOf = (xs: { medium: Medium; address: string }[]) => {
    const m = new Map<string, Threepid>();
    for (const x of xs) {
      const k = key(x.medium, x.address);
      const t = m.get(k) ?? { ...split(k), spellings: [] };
      if (!t.spellings.includes(x.address)) t.spellings.push(x.address);
      m.set(k, t);
    }
    return [...m.values()];
  };
  return {
    server: s,
    readable: f.ok,
    error: f.error,
    tombstones,
    globalDeletes,
    originatedOnPeer,
    sessions: {
      sids: f.sessions.map((x) => x.sid),
      count: f.sessions.length,
      tokenRows: f.sessions.reduce((n, x) => n + x.tokenRows, 0),
      threepids: threepidsOf(f.sessions.map((x) => ({ medium: x.medium, address: x.addressAsStored }))).map(({ medium, address }) => ({ medium, address })),
    },
    invitesTo: { threepids: threepidsOf(f.invitesTo), count: f.invitesTo.length, pending: f.invitesTo.filter((i) => i.state === "pending").length },
    invitesFrom: { mxids: [...new Set(f.invitesFrom.map((i) => i.sender))], count: f.invitesFrom.length, pending: f.invitesFrom.filter((i) => i.state === "pending").length },
    accounts: accounts.map((a) => ({ mxid: a.userId, tokens: a.activeTokens, acceptedTerms: a.acceptedTermsUrls.length })),
    embedding: f.embeddedInOthers.map((e) => ({ globalId: e.globalId, medium: e.rowMedium, address: e.rowAddress, mxid: e.rowMxid, originServer: e.originServer, tombstoneLocal: e.originServer === s.serverName, action: "rebind" as const })),
    existingTombstones,
  };
}

export function planErasure(findings: SubjectFindings, ctx: { servers: PlanServer[] }): ErasurePlan {
  const names = new Set(ctx.servers.map((s) => s.serverName));
  const servers = findings.servers
    .map((f) => ({ f, s: ctx.servers.find((x) => x.id === f.server.id) ?? f.server }))
    .map(({ f, s }) => serverPlan(f, s, { findings: findings.servers, names }));
  // A peer's copy may embed the subject while the origin's own row does not (Sydent signs each
  // push anew): the origin must still re-issue, or deleting the copy would leave that person
  // unfindable on the peer. Such origin entries have no row of their own (globalId -1).
  const extra: { sp: ServerPlan; e: ServerPlan["embedding"][number] }[] = [];
  for (const sp of servers) {
    for (const e of sp.embedding) {
      if (e.originServer === sp.server.serverName) continue;
      const origin = servers.find((x) => x.server.serverName === e.originServer);
      const has = (x: ServerPlan["embedding"][number]) => key(x.medium, x.address) === key(e.medium, e.address);
      if (origin && !origin.embedding.some(has) && !extra.some((x) => x.sp === origin && has(x.e))) {
        extra.push({ sp: origin, e: { globalId: -1, medium: e.medium, address: e.address, mxid: e.mxid, originServer: e.originServer, tombstoneLocal: false, action: "rebind", reissueOnly: true } });
      }
    }
  }
  for (const x of extra) x.sp.embedding.push(x.e);
  const owed = new Map<string, { peer: string; medium: Medium; address: string }>();
  for (const sp of servers) for (const o of sp.originatedOnPeer) if (!o.registered) owed.set(`${o.originServer}|${key(o.medium, o.address)}`, { peer: o.originServer, medium: o.medium, address: o.address });
  const logFiles = findings.logs?.report.files.filter((x) => x.matches > 0) ?? [];
  const expiries = logFiles.map((x) => x.expiresAt).filter((x): x is string => !!x).sort();
  const plan: ErasurePlan = {
    version: 1,
    identifiers: findings.identifiers,
    servers,
    owedByUnregisteredPeers: [...owed.values()],
    logs: findings.logs ? { files: logFiles.map((x) => ({ file: x.file, source: x.source, matches: x.matches, expiresAt: x.expiresAt })), lastCopyExpiresAt: expiries.at(-1) ?? null } : null,
    nothingHeld: false,
  };
  plan.nothingHeld = actionSteps(plan).length === 0 && servers.every((s) => s.existingTombstones.length === 0) && logFiles.length === 0;
  return plan;
}

/** Ordered steps: tombstones on origins, global deletes elsewhere, embedding rows, other stores, then verify per server. "Nothing held" -> []. */
export function planSteps(plan: ErasurePlan): StepSpec[] {
  if (plan.nothingHeld) return [];
  return [...actionSteps(plan), ...plan.servers.map((s) => ({ kind: "verify" as const, serverId: s.server.id, target: {} }))];
}

function actionSteps(plan: ErasurePlan): StepSpec[] {
  const steps: StepSpec[] = [];
  const each = (fn: (s: ServerPlan) => StepSpec[]) => plan.servers.forEach((s) => steps.push(...fn(s)));
  const t3 = (t: Threepid) => ({ medium: t.medium, address: t.address, spellings: t.spellings });
  each((s) => s.tombstones.map((t) => ({ kind: "tombstoneAndDeleteGlobal", serverId: s.server.id, target: t3(t) })));
  each((s) => s.globalDeletes.map((t) => ({ kind: "deleteGlobal", serverId: s.server.id, target: t3(t) })));
  const row = (e: ServerPlan["embedding"][number]) => ({ globalId: e.globalId, medium: e.medium, address: e.address, mxid: e.mxid, originServer: e.originServer });
  // Bystanders kept bound: every origin's re-issue first (Sydent unbinds, its tombstone reaches the
  // peers, Sydent binds again), then each server holding peer copies checks they went; a copy's
  // check before its origin's re-issue would wait for nothing.
  const kept = (s: ServerPlan, own: boolean) => s.embedding.filter((e) => e.action === "rebind" && (e.originServer === s.server.serverName) === own);
  each((s) => (kept(s, true).length ? [{ kind: "rebindBystanders", serverId: s.server.id, target: { rows: kept(s, true).map(row) } }] : []));
  each((s) => (kept(s, false).length ? [{ kind: "rebindBystanders", serverId: s.server.id, target: { rows: kept(s, false).map(row) } }] : []));
  each((s) => {
    const unbind = s.embedding.filter((e) => e.action !== "rebind");
    return unbind.length ? [{ kind: "deleteEmbeddingRows", serverId: s.server.id, target: { ownServerName: s.server.serverName, rows: unbind.map(row) } }] : [];
  });
  each((s) => (s.sessions.count || s.sessions.threepids.length ? [{ kind: "deleteSessions", serverId: s.server.id, target: { sids: s.sessions.sids, threepids: s.sessions.threepids } }] : []));
  each((s) => s.invitesTo.threepids.map((t) => ({ kind: "deleteInvitesTo", serverId: s.server.id, target: t3(t) })));
  each((s) => s.invitesFrom.mxids.map((mxid) => ({ kind: "deleteInvitesFrom", serverId: s.server.id, target: { mxid } })));
  each((s) => s.accounts.map((a) => ({ kind: "deleteAccount", serverId: s.server.id, target: { mxid: a.mxid } })));
  return steps;
}

/** Counts only (no identifiers): for access-log details and the preview header. */
export function planSummary(plan: ErasurePlan) {
  const sum = (f: (s: ServerPlan) => number) => plan.servers.reduce((n, s) => n + f(s), 0);
  return {
    servers: plan.servers.length,
    tombstones: sum((s) => s.tombstones.filter((t) => !t.alreadyTombstone).length),
    globalRows: sum((s) => s.tombstones.reduce((n, t) => n + t.globalRows, 0) + s.globalDeletes.reduce((n, t) => n + t.globalRows, 0)),
    sessions: sum((s) => s.sessions.count),
    invitesTo: sum((s) => s.invitesTo.count),
    invitesFrom: sum((s) => s.invitesFrom.count),
    accounts: sum((s) => s.accounts.length),
    embeddingRows: sum((s) => s.embedding.length),
    bystandersKeptBound: sum((s) => s.embedding.filter((e) => e.action === "rebind").length),
    bystandersUnbound: sum((s) => s.embedding.filter((e) => e.action !== "rebind").length),
    owedByUnregisteredPeers: plan.owedByUnregisteredPeers.length,
    logFiles: plan.logs?.files.length ?? 0,
    nothingHeld: plan.nothingHeld,
  };
}
