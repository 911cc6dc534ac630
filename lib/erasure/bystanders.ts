import Database from "better-sqlite3";
import { internalBind, SydentApiError, type SignedAssociation } from "@/lib/sydent/internal-api";
import { casefold, type Medium } from "@/lib/sydent/normalise";
import { op } from "@/lib/erasure/ops-core";
import type { OpOptions } from "@/lib/erasure/ops-db";

// Bystanders are never collateral (issue 8). Sydent 2.5-2.7 leaks pending-invite data into later
// signed associations (sydent.md 2.1), so other people's rows may embed the person being erased.
// Those people did nothing: by default they stay bound. On the row's ORIGIN server Custodian asks
// Sydent itself to re-issue the association (internal bind: a fresh signature, pushed to peers),
// checks that the fresh association carries no other person's invites, then deletes the old
// row(s) that embedded the subject. A copy held by a peer is deleted there (the origin's fresh
// association replaces it by replication). Unbinding a bystander is only ever an explicit,
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

export type RebindResult = { reissued: number; oldRowsDeleted: number; replicasDeleted: number; foreignInvitesInFresh: number };

/** The step "rebindBystanders" on one server: re-issue rows that originated here, drop peer copies. */
export async function rebindBystanders(file: string, server: BystanderServer, t: { rows: BystanderRow[] }, o: OpOptions = {}): Promise<RebindResult> {
  const own = t.rows.filter((r) => r.originServer === server.serverName);
  const replicas = t.rows.filter((r) => r.originServer !== server.serverName);
  const fresh = new Map<number, SignedAssociation>();
  if (own.length > 0) {
    if (!server.internalApiUrl) {
      throw new BystanderStop(
        `${own.length} other person(s) bound on ${server.label} have rows embedding the subject. Their associations can only be re-issued by Sydent's internal API: ` +
          `register ${server.label}'s internal API URL, then run the job again. Nothing of theirs was changed.`,
      );
    }
    for (const r of own) {
      let a: SignedAssociation;
      try {
        a = await internalBind(server.internalApiUrl, { medium: r.medium, address: r.address, mxid: r.mxid });
      } catch (e) {
        if (e instanceof SydentApiError) throw new BystanderStop(`Re-issuing another person's association on ${server.label} failed: ${e.message} Run the job again once Sydent answers.`);
        throw e;
      }
      if (foreignInvites(a) > 0) {
        throw new BystanderStop(
          `Sydent on ${server.label} still carries leaked invite data: the association it re-issued for another person embeds someone else's invites. ` +
            `Restart that Sydent process (the leak lives in its memory until restart), then run the job again; the re-issue is repeated and checked.`,
        );
      }
      fresh.set(r.globalId, a);
    }
  }
  return op(
    file, o,
    (db) => ({ rows: t.rows.filter((r) => db.prepare("SELECT 1 FROM global_threepid_associations WHERE id = ?").get(r.globalId)).map((r) => r.globalId) }),
    async ({ db, write }) => {
      let oldRowsDeleted = 0;
      let replicasDeleted = 0;
      let foreign = 0;
      for (const r of own) {
        // The fresh row is the newest of this origin for the 3PID; every older one (the embedding
        // row, and any earlier re-issue) goes.
        const rows = db.prepare("SELECT id, originId, sgAssoc FROM global_threepid_associations WHERE medium = ? AND address = ? AND originServer = ? ORDER BY originId DESC").all(r.medium, r.address, r.originServer) as { id: number; originId: number; sgAssoc: string }[];
        const newest = rows[0];
        if (!newest || newest.id === r.globalId) throw new BystanderStop(`Sydent on ${server.label} did not store the re-issued association for another person; nothing was deleted. Run the job again.`);
        foreign += foreignInvites(JSON.parse(newest.sgAssoc));
        const stale = rows.slice(1).map((x) => x.id);
        oldRowsDeleted += await write(() => stale.reduce((n, id) => n + db.prepare("DELETE FROM global_threepid_associations WHERE id = ?").run(id).changes, 0), (n) => n);
      }
      if (foreign > 0) throw new BystanderStop(`The re-issued association stored on ${server.label} still embeds someone else's invites: restart that Sydent process, then run the job again.`);
      for (const r of replicas) {
        replicasDeleted += await write(() => db.prepare("DELETE FROM global_threepid_associations WHERE id = ? AND originServer = ?").run(r.globalId, r.originServer).changes, (n) => n);
      }
      return { reissued: fresh.size, oldRowsDeleted, replicasDeleted, foreignInvitesInFresh: foreign };
    },
  );
}
