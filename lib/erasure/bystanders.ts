import Database from "better-sqlite3";
import { internalBind, internalUnbind, SydentApiError, type SignedAssociation } from "@/lib/sydent/internal-api";
import { casefold, type Medium } from "@/lib/sydent/normalise";

// Bystanders are never collateral (issue 8). Sydent 2.5-2.7 leaks pending-invite data into later
// signed associations (sydent.md 2.1), so other people's rows may embed the person being erased.
// Those people did nothing: by default they stay bound. On the row's ORIGIN server Custodian asks
// Sydent itself to re-issue the association (internal unbind, then internal bind: a fresh
// signature, pushed to peers after the tombstone) and checks that the fresh association carries no
// other person's invites. Copies held by peers are replaced by replication; Custodian writes no SQL. Unbinding a bystander is only ever an explicit,
// separately approved choice (plan action "unbind", the old tombstone path).

export type BystanderRow = { globalId: number; medium: Medium; address: string; mxid: string; originServer: string };
export type BystanderServer = { label: string; serverName: string; internalApiUrl: string | null };

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

export type RebindResult = { reissued: number; replicasLeftToReplication: number; foreignInvitesInFresh: number };

/**
 * The step "rebindBystanders" on one server, entirely through Sydent's internal API (issue 7:
 * never SQL under a running Sydent). For each row that originated here: Sydent's own unbind (its
 * tombstone deletes every global row of that 3PID here at once, and on every peer when pushed),
 * then Sydent's own bind (a fresh signed association, pushed after the tombstone), then a check
 * that the fresh association carries nobody else's invites. The bystander is unanswered only for
 * the milliseconds between the two calls. Copies held by a peer need no write: the origin's
 * tombstone and fresh binding reach them by replication (verification waits for it).
 */
export async function rebindBystanders(server: BystanderServer, t: { rows: BystanderRow[] }, o: { retries?: number } = {}): Promise<RebindResult> {
  const own = t.rows.filter((r) => r.originServer === server.serverName);
  const replicas = t.rows.length - own.length;
  if (own.length > 0 && !server.internalApiUrl) {
    throw new BystanderStop(
      `${own.length} other person(s) bound on ${server.label} have rows embedding the subject. Their associations can only be re-issued by Sydent's internal API: ` +
        `register ${server.label}'s internal API URL (Sydent must be running), then run the job again. Nothing of theirs was changed.`,
    );
  }
  let reissued = 0;
  for (const r of own) {
    const binding = { medium: r.medium, address: r.address, mxid: r.mxid };
    let a: SignedAssociation;
    try {
      await withRetries(() => internalUnbind(server.internalApiUrl!, binding), o.retries ?? 2);
      a = await withRetries(() => internalBind(server.internalApiUrl!, binding), o.retries ?? 2);
    } catch (e) {
      if (e instanceof SydentApiError) {
        throw new BystanderStop(`Re-issuing another person's association on ${server.label} failed: ${e.message} Run the job again once Sydent answers (the re-issue is repeated).`);
      }
      throw e;
    }
    if (foreignInvites(a) > 0) {
      throw new BystanderStop(
        `Sydent on ${server.label} still carries leaked invite data: the association it re-issued for another person embeds someone else's invites. ` +
          `Restart that Sydent process (the leak lives in its memory until restart), then run the job again; the re-issue is repeated and checked.`,
      );
    }
    reissued++;
  }
  return { reissued, replicasLeftToReplication: replicas, foreignInvitesInFresh: 0 };
}

async function withRetries<T>(fn: () => Promise<T>, retries: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof SydentApiError) || attempt >= retries || (e.kind === "http" && (e.status ?? 500) < 500)) throw e;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
}
