import type { Rng } from "@/lib/demo/prng";
import { signingKeyFromSeed, signJson, type JsonValue } from "@/lib/demo/signing";
import type { ServerIndex, TermsChoice } from "@/lib/demo/subjects";
import type { SydentWriter } from "@/lib/demo/sydent-writer";
import type { DemoServer, SessionInfo } from "@/lib/demo/types";

// The tables around the bindings: invites + ephemeral keys, validation sessions + their codes,
// and v2 accounts + tokens + accepted terms. Units follow Sydent: invite_tokens.received_ts /
// sent_ts and ephemeral_public_keys.persistence_ts in SECONDS, everything else in ms.

export const TERMS_MASTER_VERSION = "custodian-demo-2026-01";
export const TERMS_URLS = [
  "https://demo.custodian.test/legal/terms-2.0-en.html",
  "https://demo.custodian.test/legal/privacy-1.4-en.html",
] as const;

export type InviteRec = {
  server: ServerIndex;
  address: string;
  typed: string;
  room: string;
  sender: string;
  token: string;
  receivedTs: number;
  sentTs: number | null;
  deleted: boolean;
  ephemeralKey: string;
  verifyCount: number;
};

export function makeInvite(r: Rng, server: ServerIndex, typed: string, address: string, sender: string, receivedTs: number): InviteRec {
  const hs = sender.slice(sender.indexOf(":") + 1);
  return {
    server, address, typed, sender, receivedTs,
    room: `!${r.letters(18)}:${hs}`,
    token: r.letters(128),
    sentTs: null,
    deleted: false,
    ephemeralKey: signingKeyFromSeed(r.bytes(32)).publicKeyRaw.toString("base64url"),
    verifyCount: r.chance(0.2) ? r.int(1, 3) : 0,
  };
}

/** The entry Sydent puts in a signed association's "invites" array when it delivers `inv`. */
export function inviteJson(inv: InviteRec, binderMxid: string, server: DemoServer): JsonValue {
  return {
    medium: "email", address: inv.address, room_id: inv.room, sender: inv.sender, token: inv.token, mxid: binderMxid,
    signed: signJson({ mxid: binderMxid, token: inv.token }, server.serverName, server.key),
  };
}

/** Ids follow arrival order; delivered-and-deleted invites leave gaps, their keys stay. */
export function writeInvites(w: SydentWriter, invites: InviteRec[]): { invites: number; keys: number } {
  const sorted = [...invites].sort((a, b) => a.receivedTs - b.receivedTs);
  let kept = 0;
  sorted.forEach((inv, i) => {
    const secs = Math.floor(inv.receivedTs / 1000);
    w.ephemeralKey(i + 1, inv.ephemeralKey, inv.verifyCount, secs);
    if (inv.deleted) return;
    kept++;
    const sent = inv.sentTs === null ? null : Math.floor(inv.sentTs / 1000);
    w.invite(i + 1, "email", inv.address, inv.room, inv.sender, inv.token, secs, sent);
  });
  return { invites: kept, keys: sorted.length };
}

export type SessionRec = { server: ServerIndex; medium: string; typed: string; validated: 0 | 1; mtime: number; info: SessionInfo };

export function makeSessionInfo(r: Rng, medium: string, usedSids?: Set<number>): SessionInfo {
  let sid = r.int(1, 2 ** 31 - 1);
  while (usedSids?.has(sid)) sid = r.int(1, 2 ** 31 - 1);
  usedSids?.add(sid);
  return { sid, clientSecret: r.alnum(24), token: medium === "msisdn" ? r.digits(6) : r.alnum(32) };
}

/** Sessions by mtime; threepid_token_auths ids continue after `idBase` earlier (reaped) ones. */
export function writeSessions(w: SydentWriter, sessions: SessionRec[], idBase: number): number {
  const sorted = [...sessions].sort((a, b) => a.mtime - b.mtime);
  sorted.forEach((s, i) => {
    w.session(s.info.sid, s.medium, s.typed, s.info.clientSecret, s.validated, s.mtime);
    w.tokenAuth(idBase + i + 1, s.info.sid, s.info.token);
  });
  return sorted.length;
}

/** /v2/account/register (+ /v2/terms): a new account gets 1-3 tokens and its accepted URLs. */
export function registerAccount(w: SydentWriter, r: Rng, mxid: string, createdTs: number, terms: TermsChoice): boolean {
  const consent = terms === "all" ? TERMS_MASTER_VERSION : null;
  if (!w.account(mxid, createdTs, consent)) return false;
  const tokens = 1 + (r.chance(0.2) ? 1 : 0) + (r.chance(0.05) ? 1 : 0);
  for (let i = 0; i < tokens; i++) w.token(r.alnum(64), mxid);
  const urls = terms === "all" ? TERMS_URLS : terms === "partial" ? TERMS_URLS.slice(0, 1) : [];
  for (const url of urls) w.acceptedTerms(mxid, url);
  return true;
}
