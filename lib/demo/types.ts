import type { Medium } from "@/lib/sydent/normalise";
import type { SigningKey } from "@/lib/demo/signing";
import type { ServerIndex, TermsChoice, Via } from "@/lib/demo/subjects";

// Shared shapes of the demo generator: the two servers, the time-ordered bindings that drive
// the simulation, and the events the log writer turns into Sydent and HAProxy lines.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Sydent's notAfter: bind time + 100 years of 365 days (fixture: 3153600000000 ms). */
export const HUNDRED_YEARS_MS = 100 * 365 * DAY_MS;

export type DemoServer = {
  index: ServerIndex;
  label: "is1" | "is2";
  serverName: string;
  pepper: string;
  key: SigningKey;
  /** Address Sydent sees in its access log for proxied requests (the load balancer). */
  proxyIp: string;
  /** This server's own address (what the peer sees on replication pushes). */
  hostIp: string;
  replicationUrl: string;
};

export type GenBinding = {
  medium: Medium;
  /** Stored form (casefolded email / E.164 digits). */
  address: string;
  /** As typed in the validation session. */
  typed: string;
  mxid: string;
  homeserver: string;
  ts: number;
  origin: ServerIndex;
  via: Via;
  unbindTs: number | null;
  /** v2 account terms for the binder (null: no v2 account from this binding). */
  account: TermsChoice | null;
  clientIp: string;
  ua: string;
  country: number;
  /** Generated person index, or -1 for a named subject. */
  person: number;
  subject?: string;
};

export type SessionInfo = { sid: number; clientSecret: string; token: string };

export type LogEvent =
  | {
      kind: "bind"; server: ServerIndex; ts: number; medium: Medium; address: string; typed: string; mxid: string;
      homeserver: string; localId: number; via: Via; clientIp: string; ua: string; country: number;
      session: SessionInfo; delivered: { address: string }[]; onbindFailed: boolean; replicated: boolean; subject?: string;
    }
  | { kind: "unbind"; server: ServerIndex; ts: number; medium: Medium; address: string; mxid: string; homeserver: string; localId: number; via: "v2" | "internal"; replicated: boolean; subject?: string }
  | { kind: "store-invite"; server: ServerIndex; ts: number; sender: string; typed: string; room: string; subject?: string }
  | { kind: "session"; server: ServerIndex; ts: number; medium: Medium; typed: string; session: SessionInfo; clientIp: string; ua: string; mailFails: boolean; subject?: string }
  | { kind: "restart"; server: ServerIndex; ts: number };

export type ReplicationState = {
  /** Last successful is1 -> is2 push; is1's pushes fail from here on. */
  stuckSince: number;
  lastSentVersion: [number, number];
  lastPokeSucceededAt: [number, number];
  maxLocalId: [number, number];
  backlogTimes: number[];
};
