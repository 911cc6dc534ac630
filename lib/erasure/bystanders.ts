import Database from "better-sqlite3";
import { internalBind, internalUnbind, SydentApiError } from "@/lib/sydent/internal-api";
import { casefold, type Medium } from "@/lib/sydent/normalise";
import { expiryOf, replicationWaitFor, type WaitBudget } from "@/lib/erasure/ops-api";
import type { OpOptions } from "@/lib/erasure/ops-db";

// Bystanders are never collateral (issue 8). Sydent 2.5-2.7 leaks pending-invite data into later
// signed associations (sydent.md 2.1), so other people's rows may embed the person being erased.
// Those people did nothing: by default they stay bound. On the row's ORIGIN server Sydent itself
// re-issues their association (internal unbind, tombstone delivered to the peers, internal bind:
// a fresh signature without the subject, pushed to peers), checked for other people's invites.
// Copies held by peers go with the origin's tombstone (Sydent's replication); Custodian writes no
// SQL here. Unbinding a bystander is only ever an explicit, separately approved choice (plan
// action "unbind", the tombstone path of deleteEmbeddingRows).

export type BystanderRow = { globalId: number; medium: Medium; address: string; mxid: string; originServer: string };
export type BystanderServer = { label: string; serverName: string; internalApiUrl: string | null };

/** deferWait: the step's writes are done and it would now wait for the peers (bulk pages share that wait). */
export class ReplicationPending extends Error {
  constructor() {
    super("waiting for replication");
    this.name = "ReplicationPending";
  }
}

/** The job cannot go on without a person deciding: paused with this message. */
export class BystanderStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BystanderStop";
  }
}

const norm = (medium: string, address: string) => (medium === "email" ? casefold(address) : address.replace(/\D/g, ""));

/** Invites in a signed association that are not to this association's own 3PID. */
export function foreignInvites(assoc: { medium?: unknown; address?: unknown; invites?: unknown }): number {
  const own = norm(String(assoc.medium ?? ""), String(assoc.address ?? ""));
  const invites = Array.isArray(assoc.invites) ? assoc.invites : [];
  return invites.filter((i) => {
    const x = i as { medium?: unknown; address?: unknown };
    return norm(String(x.medium ?? assoc.medium ?? ""), String(x.address ?? "")) !== own;
  }).length;
}

/**
 * Does this server's newest own signed association embed someone else's invites? Then the Sydent
 * process that signed it may still carry leaked data (until restart): a re-issue would copy it.
 */
export function leakSuspected(file: string, serverName: string): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT sgAssoc FROM global_threepid_associations WHERE originServer = ? ORDER BY originId DESC LIMIT 1").get(serverName) as { sgAssoc: string } | undefined;
    if (!row) return false;
    try {
      return foreignInvites(JSON.parse(row.sgAssoc)) > 0;
    } catch {
      return false;
    }
  } finally {
    db.close();
  }
}

export type RebindResult = {
  via: "internal-api" | "replication";
  /** Origin side: associations Sydent re-issued (unbind, tombstone delivered to every active peer, bind). */
  reissued: number;
  /** ...of which already re-issued by an earlier, interrupted attempt of this step. */
  alreadyReissued: number;
  /**
   * Unbound and NOT bound again: the person is themselves the subject of an erasure (another job,
   * or a row of an approved bulk batch), which wants them unbound. Their indexes in the step's rows
   * (no personal data) are in `erasedRows`.
   */
  leftUnboundErased?: number;
  erasedRows?: number[];
  /** A bystander whose binding changed meanwhile (unbound or bound elsewhere by themselves): left alone. */
  changedMeanwhile: number;
  /** Peer side: old copies removed by the origin's tombstone (Sydent's own replication), and left. */
  peerCopiesRemoved: number;
  peerCopiesLeft: number;
  waitedMs: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type LocalRow = { id: number; mxid: string | null };

/**
 * The step "rebindBystanders" on one server, entirely through Sydent (issue 7: never SQL under a
 * running Sydent). Rows that ORIGINATED here: Sydent's internal unbind (a tombstone; Sydent deletes
 * every global row of that 3PID here at once, the embedding one included), then a wait until every
 * active peer has received the tombstone (it deletes every copy there, whatever its origin) —
 * binding earlier would replace the undelivered tombstone and peers would keep their embedding
 * copies — then Sydent's internal bind (a fresh association, pushed to peers), checked for other
 * people's invites (the leak: restart that Sydent). The person is not discoverable for about one
 * replication cycle. Rows that originated on a PEER: nothing is written here; the step waits
 * (reads) until the origin's tombstone has removed the old copy. Resumable: the local row ids
 * before the first unbind are recorded (o.onLocated) so a re-run tells "still to unbind",
 * "tombstone waiting to be delivered" and "re-issued" apart and never repeats a finished re-issue.
 */
type RebindOptions = OpOptions & {
  replicationWaitMs?: WaitBudget;
  deferWait?: boolean;
  /** Is this person the subject of an erasure themselves? Then the re-issue unbinds and does not bind again. */
  beingErased?: (r: BystanderRow) => Promise<boolean>;
};

export async function rebindBystanders(file: string, server: BystanderServer, t: { rows: BystanderRow[] }, o: RebindOptions = {}): Promise<RebindResult> {
  const own = [...new Map(t.rows.filter((r) => r.originServer === server.serverName).map((r) => [`${r.medium}:${r.address}`, r])).values()];
  const copies = t.rows.filter((r) => r.originServer !== server.serverName && r.globalId > 0);
  const t0 = Date.now();
  const result: RebindResult = { via: own.length ? "internal-api" : "replication", reissued: 0, alreadyReissued: 0, changedMeanwhile: 0, peerCopiesRemoved: 0, peerCopiesLeft: 0, waitedMs: 0 };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    if (own.length) await reissueOwn(db, server, own, o, result);
    if (result.erasedRows?.length) {
      const erased = new Set(result.erasedRows.map((i) => `${own[i].medium}:${own[i].address}`));
      result.erasedRows = t.rows.flatMap((r, i) => (erased.has(`${r.medium}:${r.address}`) && r.originServer === server.serverName ? [i] : []));
    }
    if (copies.length) await awaitCopiesReplaced(db, copies, o, result);
  } finally {
    db.close();
  }
  result.waitedMs = Date.now() - t0;
  return result;
}

async function reissueOwn(db: Database.Database, server: BystanderServer, own: BystanderRow[], o: RebindOptions, result: RebindResult): Promise<void> {
  if (!server.internalApiUrl) {
    throw new BystanderStop(
      `${own.length} other person(s) bound on ${server.label} have rows embedding the subject. Their associations can only be re-issued by Sydent's internal API: ` +
        `register ${server.label}'s internal API URL, then run the job again. Nothing of theirs was changed.`,
    );
  }
  const url = server.internalApiUrl;
  const localOf = db.prepare("SELECT id, mxid FROM local_threepid_associations WHERE medium = ? AND address = ?");
  const newestOwn = db.prepare("SELECT sgAssoc FROM global_threepid_associations WHERE medium = ? AND address = ? AND originServer = ? ORDER BY originId DESC LIMIT 1");
  const local = (r: BystanderRow) => localOf.get(r.medium, r.address) as LocalRow | undefined;
  const started = (o.prior?.reissueStarted ?? []).length > 0;
  const original = new Set(o.prior?.reissueOriginal ?? []);
  const clean = (r: BystanderRow) => {
    const row = newestOwn.get(r.medium, r.address, server.serverName) as { sgAssoc: string } | undefined;
    try {
      return !!row && foreignInvites(JSON.parse(row.sgAssoc)) === 0;
    } catch {
      return false;
    }
  };
  const toUnbind: BystanderRow[] = [];
  const toBind: BystanderRow[] = [];
  for (const r of own) {
    const l = local(r);
    if (l && l.mxid === r.mxid) {
      if (started && !original.has(l.id) && clean(r)) result.alreadyReissued++;
      else toUnbind.push(r);
    } else if (l && l.mxid === null && started) toBind.push(r); // our tombstone from an earlier attempt
    else result.changedMeanwhile++;
  }
  // Recorded before anything is written: which local rows are the ones to replace.
  await o.onLocated?.({ ...(o.prior ?? {}), reissueStarted: [1], reissueOriginal: [...new Set([...original, ...toUnbind.map((r) => local(r)!.id)])] });
  for (const r of toUnbind) {
    await callSydent(server, () => internalUnbind(url, { medium: r.medium, address: r.address, mxid: r.mxid }));
    toBind.push(r);
  }
  if (!toBind.length) return;
  // Every active peer must have received the tombstones before the bind replaces them.
  const tombstones = toBind.map((r) => local(r)).filter((l): l is LocalRow => !!l && l.mxid === null).map((l) => l.id);
  const need = Math.max(0, ...tombstones);
  const peers = db.prepare("SELECT name, lastSentVersion AS v FROM peers WHERE active = 1");
  const behind = () => (peers.all() as { name: string; v: number | null }[]).filter((p) => p.v === null || p.v < need);
  if (o.deferWait && behind().length) throw new ReplicationPending();
  const expired = expiryOf(o.replicationWaitMs, replicationWaitFor(tombstones.length));
  while (behind().length && !expired()) await sleep(1000);
  const late = behind();
  if (late.length) {
    throw new BystanderStop(
      `${toBind.length} other person(s) on ${server.label} are unbound until ${late.map((p) => p.name).join(", ")} receive(s) Sydent's tombstones (replication is not delivering). ` +
        `Check replication from ${server.label}, then run the job again: they are bound again at once once it has.`,
    );
  }
  for (const r of toBind) {
    // Checked at the moment of binding: a person whose own erasure was approved meanwhile (a later
    // row of the same bulk batch, a job of their own) stays unbound; their job finds it done.
    if (await o.beingErased?.(r)) {
      result.leftUnboundErased = (result.leftUnboundErased ?? 0) + 1;
      (result.erasedRows ??= []).push(own.indexOf(r));
      continue;
    }
    const a = await callSydent(server, () => internalBind(url, { medium: r.medium, address: r.address, mxid: r.mxid }));
    if (foreignInvites(a) > 0) {
      throw new BystanderStop(
        `Sydent on ${server.label} still carries leaked invite data: the association it re-issued for another person embeds someone else's invites. ` +
          `Restart that Sydent process (the leak lives in its memory until restart), then run the job again; the re-issue is repeated and checked.`,
      );
    }
    result.reissued++;
  }
}

async function callSydent<T>(server: BystanderServer, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SydentApiError) throw new BystanderStop(`Re-issuing another person's association on ${server.label} failed: ${e.message} Run the job again once Sydent answers; nothing is repeated that already happened.`);
    throw e;
  }
}

/** Peer copies: the origin's tombstone deletes them here (Sydent's replication); wait, reading only. */
async function awaitCopiesReplaced(db: Database.Database, copies: BystanderRow[], o: { replicationWaitMs?: WaitBudget; deferWait?: boolean }, result: RebindResult): Promise<void> {
  const present = db.prepare("SELECT 1 FROM global_threepid_associations WHERE id = ? AND originServer = ?");
  const left = () => copies.filter((r) => present.get(r.globalId, r.originServer));
  if (o.deferWait && left().length) throw new ReplicationPending();
  const expired = expiryOf(o.replicationWaitMs, replicationWaitFor(copies.length));
  while (left().length && !expired()) await sleep(1000);
  result.peerCopiesLeft = left().length;
  result.peerCopiesRemoved = copies.length - result.peerCopiesLeft;
  if (result.peerCopiesLeft) {
    throw new BystanderStop(
      `${result.peerCopiesLeft} copy(ies) of other people's rows embedding the subject are still held here: their origin's tombstone has not arrived. ` +
        `Check replication from ${[...new Set(copies.map((r) => r.originServer))].join(", ")}, then run the job again.`,
    );
  }
}
