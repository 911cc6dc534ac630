import type { Records } from "@/lib/exports/records";

// Plain-English explanation of every field, used by the guide (guide.ts) and the JSON Schema
// (schema.ts), so the two never disagree. Written the way the privacy notice explains things.

const TS = (what: string): Record<string, string> => ({
  "": `${what}, as a date and time in UTC (ISO 8601).`,
  Original: "The same moment exactly as the identity server stored it (a number).",
  Unit: `The unit of the original number: "ms" (milliseconds since 1 January 1970) or "s" (seconds).`,
});
const ts = (name: string, what: string) =>
  Object.fromEntries(Object.entries(TS(what)).map(([suffix, text]) => [`${name}${suffix}`, text]));

const COMMON = {
  server: "The identity server that holds this record (its server name).",
  table: "Where on that server the record is kept (the database table).",
};

export const KIND_TITLES: Record<keyof Records, string> = {
  bindings: "Your bindings (links between your email address or phone number and your Matrix ID)",
  sessions: "Your validation sessions (proving you own an email address or phone number)",
  invites_to: "Room invites sent to your email address or phone number",
  invites_from: "Room invites you sent to someone's email address or phone number",
  v2_account: "Your identity-server account",
  accepted_terms: "Terms you accepted",
  embedded_in_other_records: "Your data inside other people's records",
  log_lines: "Lines in our log files that mention you",
  recipients: "Who received your data",
  access_history: "Who accessed your data at our organisation",
};

export const FIELD_TEXT: Record<keyof Records, Record<string, string>> = {
  bindings: {
    ...COMMON,
    rowId: "The record's number in that table.",
    medium: `"email" for an email address, "msisdn" for a phone number.`,
    address: "Your email address (in lower case, the way the server compares addresses) or your phone number in international form without the +.",
    mxid: "The Matrix ID the address is linked to. Empty when the link was removed (see state).",
    state: `"bound": anyone who knows the address can look up your Matrix ID. "tombstone": you removed the link; the server keeps this empty record only until every replication peer has been told about the removal.`,
    originServer: "The identity server where you proved you own the address and made the link. Other servers hold a copy it sent them.",
    originId: "The record's number on the origin server.",
    ...ts("ts", "When the link was made"),
    ...ts("notBefore", "The start of the link's validity"),
    ...ts("notAfter", "The end of the link's validity as signed by the server (far in the future: links do not expire on their own)"),
    lookupHash: "A scrambled form of your address (SHA-256 with a server-specific value) that Matrix clients use to look you up without sending the address itself.",
    deliveredToPeers: "Replication peers that have already received this record.",
    pendingForPeers: "Replication peers that have not received it yet.",
  },
  sessions: {
    ...COMMON,
    sid: "The session's number.",
    medium: `"email" or "msisdn" (phone number).`,
    address: "The address exactly as it was typed when the session started (sessions keep the original spelling).",
    validated: "true when you confirmed the code or link we sent you.",
    ...ts("mtime", "When the session last changed"),
    tokenRows: "How many codes were sent to you in this session. The codes themselves are never disclosed.",
  },
  invites_to: {
    ...COMMON,
    rowId: "The invite's number in that table.",
    medium: `"email" or "msisdn" (phone number).`,
    address: "Your address the invite was sent to.",
    roomId: "The Matrix room you were invited to.",
    sender: `Who sent the invite. Shown as "another Matrix user" unless it was you (see "What we left out").`,
    state: `"pending": kept until you link this address to a Matrix ID, then delivered to you and deleted. "sent_not_deleted": delivered but not yet deleted.`,
    ...ts("received", "When the server received the invite"),
    ...ts("sent", "When the invite was passed on to your homeserver (empty if not yet)"),
  },
  invites_from: {
    ...COMMON,
    rowId: "The invite's number in that table.",
    medium: `"email" or "msisdn" (phone number).`,
    address: "The address you invited, partly hidden because it belongs to someone else.",
    roomId: "The room you invited them to.",
    sender: "Your Matrix ID.",
    state: `"pending": kept until the invited person links that address to a Matrix ID. "sent_not_deleted": delivered but not yet deleted.`,
    ...ts("received", "When the server received the invite"),
    ...ts("sent", "When the invite was delivered (empty if not yet)"),
  },
  v2_account: {
    ...COMMON,
    userId: "Your Matrix ID, which the account belongs to.",
    ...ts("created", "When the account was created"),
    consentVersion: "The version of the terms you last agreed to.",
    activeTokens: "How many access tokens are active. Their values are never disclosed.",
  },
  accepted_terms: { ...COMMON, userId: "Your Matrix ID.", url: "The address of a terms document you accepted." },
  embedded_in_other_records: {
    ...COMMON,
    column: "The part of the record where your data appears (the signed copy of the link).",
    count: "How many other people's records contain your data.",
    embeds: "What of yours appears: your address, your Matrix ID, or both.",
    statement: "The same fact in a sentence. We do not release the other people's details.",
  },
  log_lines: {
    source: `"sydent" (the identity server's own log) or "haproxy" (the log of the front door that passes requests to it).`,
    origin: "Which server's log the line comes from.",
    file: "The log file's name.",
    lineNo: "The line's number in that file.",
    at: "When the line was written (UTC).",
    expiresAt: "When this copy is due to be deleted under our retention rules.",
    matched: "What of yours the line mentions (for example email, email-urlencoded, mxid, sid).",
    line: "The line itself, with other people's details and any secret values hidden.",
  },
  recipients: {
    server: "The server that shares your data (empty for your homeserver).",
    recipient: "Who receives it.",
    kind: `"replication_peer": another identity server in our closed federation that gets a copy of every link. "homeserver": the Matrix homeserver of your account, which keeps its own copy of which identity server your addresses were linked on.`,
    active: "Whether the server currently sends data to this peer.",
  },
  access_history: {
    seq: "The record's number in our access log. who-accessed-proofs.json gives the proof for each record under the same number.",
    at: "When it happened (UTC).",
    role: "The role of the staff member (for example dpo, support). Names are never given.",
    action: "What they did (for example subject.search, subject.reveal, export.generate).",
    purpose: "The category of purpose recorded at the time (for example \"Investigating a complaint\"); staff notes are not included. Empty when the access was for your registered request.",
    outcome: `"ok", or why it did not go ahead (for example "denied").`,
  },
};
