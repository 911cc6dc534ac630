import { keyOf } from "@/lib/subjects/search-server";
import type { Instance } from "@/lib/sydent/test-fixtures";

// Test support: what a subject search must find, derived from the fixture's truth.json only.
// A search reaches the 3PIDs and Matrix IDs that the data links: a bound 3PID leads to its
// Matrix ID (and, expanded or from a Matrix ID query, to that ID's other bound 3PIDs); an
// unbound or never-bound 3PID leads nowhere else (its tombstone holds no Matrix ID).

export type TruthThreepid = {
  medium: "email" | "msisdn";
  address: string;
  spellings_seen: string[];
  state: "bound" | "unbound" | "never_bound" | "rebound_to_other_mxid";
  mxid: string | null;
  origin: Instance | null;
  origin_server: string | null;
  expected_v1_lookup: Record<Instance, string | null>;
};
export type TruthInvite = { instance: Instance; medium: string; address: string; room_id: string; sender: string; state: "pending" | "delivered_deleted" | "sent_not_deleted" };
export type TruthAccount = { present: boolean; consent_version?: string | null; accepted_urls?: string[]; tokens_active?: number };
export type TruthSession = { instance: Instance; sid: number; medium: string; address_as_stored: string; validated: boolean };
export type TruthEmbedded = { instance: Instance; global_id: number; row_medium: string; row_address: string; row_mxid: string; row_originServer: string; present_as: ("invitee" | "sender")[] };
export type TruthSubject = {
  key: string;
  mxid: string | null;
  threepids: TruthThreepid[];
  invites_to: TruthInvite[];
  invites_from: TruthInvite[];
  v2_account: Record<Instance, TruthAccount>;
  validation_sessions: TruthSession[];
  data_inside_other_rows_sgAssoc: TruthEmbedded[];
};

export type Probe = { label: string; kind: "email" | "phone" | "mxid" | "hash"; raw: string; threepid?: TruthThreepid };

/** The 3PID keys and Matrix IDs a search from `probe` reaches. */
export function reach(s: TruthSubject, probe: Probe, expand: boolean): { threepids: TruthThreepid[]; mxids: string[] } {
  if (probe.kind === "mxid") return { threepids: s.threepids.filter((t) => t.state === "bound" && t.mxid === probe.raw), mxids: [probe.raw] };
  const t = probe.threepid!;
  if (t.state !== "bound" || !t.mxid) return { threepids: [t], mxids: [] };
  const others = expand ? s.threepids.filter((o) => o !== t && o.state === "bound" && o.mxid === t.mxid) : [];
  return { threepids: [t, ...others], mxids: [t.mxid] };
}

export type Expected = {
  associations: string[];
  invitesTo: string[];
  invitesFrom: string[];
  account: TruthAccount;
  sessions: string[];
  embedded: string[];
};

export const assocKey = (table: string, medium: string, address: string, mxid: string | null, originServer: string) => `${table}|${medium}|${address}|${mxid ?? "(tombstone)"}|${originServer}`;
export const inviteKey = (i: { medium: string; address: string; roomId?: string; room_id?: string; sender: string }, sent: boolean) => `${i.medium}|${i.address}|${i.roomId ?? i.room_id}|${i.sender}|${sent ? "sent" : "pending"}`;
export const sessionKey = (sid: string | number, address: string, validated: boolean) => `${sid}|${address}|${validated}`;
export const embeddedKey = (id: number, medium: string, address: string, mxid: string, origin: string, presentAs: string[]) => `${id}|${medium}|${address}|${mxid}|${origin}|${[...presentAs].sort().join("+")}`;

export function expectedOn(s: TruthSubject, r: ReturnType<typeof reach>, i: Instance, serverName: Record<Instance, string>): Expected {
  const keys = new Set(r.threepids.map((t) => keyOf(t.medium, t.address)));
  const mx = r.mxids.length > 0;
  const associations: string[] = [];
  for (const t of r.threepids) {
    if (t.origin === i && t.state !== "never_bound") associations.push(assocKey("local", t.medium, t.address, t.state === "bound" ? t.mxid : null, serverName[i]));
    if (t.state === "bound" && t.expected_v1_lookup[i]) associations.push(assocKey("global", t.medium, t.address, t.expected_v1_lookup[i], t.origin_server!));
  }
  const live = (x: TruthInvite) => x.instance === i && x.state !== "delivered_deleted";
  return {
    associations: associations.sort(),
    invitesTo: s.invites_to.filter((x) => live(x) && keys.has(keyOf(x.medium, x.address))).map((x) => inviteKey(x, x.state === "sent_not_deleted")).sort(),
    invitesFrom: mx ? s.invites_from.filter(live).map((x) => inviteKey(x, x.state === "sent_not_deleted")).sort() : [],
    account: mx ? s.v2_account[i] : { present: false },
    sessions: s.validation_sessions.filter((x) => x.instance === i && keys.has(keyOf(x.medium, x.address_as_stored))).map((x) => sessionKey(x.sid, x.address_as_stored, x.validated)).sort(),
    embedded: s.data_inside_other_rows_sgAssoc
      .filter((e) => e.instance === i && ((e.present_as.includes("sender") && mx) || (e.present_as.includes("invitee") && (mx || r.threepids.some((t) => t.medium === "email")))))
      .map((e) => embeddedKey(e.global_id, e.row_medium, e.row_address, e.row_mxid, e.row_originServer, e.present_as))
      .sort(),
  };
}
