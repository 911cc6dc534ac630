import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { InviteFinding, LogFinding, ServerFindings, SubjectFindings } from "@/lib/subjects/types";
import type { Shown } from "@/lib/subjects/present";
import { maskEmailAddress, maskMsisdn, maskMxid, shortenHash } from "@/lib/subjects/present-mask";

// The per-server and per-log-file parts of the subject view model (lib/subjects/present.ts).
// Third parties (inviters, invitees, the owners of sgAssoc rows) are always masked: revealing is
// for the subject's own data. Secrets are never read into the findings; here we only say they exist.

const iso = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
const isoSeconds = (s: number | null) => (s === null ? null : iso(Number(s) * 1000));
const maskOther = (medium: "email" | "msisdn", a: string) => (medium === "email" ? maskEmailAddress(a) : maskMsisdn(a));

function presentInvite(i: InviteFinding, shown: Shown, reveal: boolean) {
  const toSubject = i.direction === "to";
  return {
    id: i.id,
    direction: i.direction,
    medium: i.medium,
    // An invite TO the subject carries their address; one FROM them carries someone else's.
    address: toSubject ? shown(i.medium, i.address) : maskOther(i.medium, i.address),
    // The sender is a third party on an invite to the subject, the subject on an invite from them.
    sender: toSubject ? maskMxid(i.sender) : shown("mxid", i.sender),
    room: reveal ? i.roomId : `${i.roomId.slice(0, 3)}••••`,
    receivedAt: isoSeconds(i.receivedTs),
    sentAt: isoSeconds(i.sentTs),
    state: i.state,
    tokenHeld: true,
  };
}

export function presentServer(s: ServerFindings, shown: Shown, reveal: boolean) {
  const associations = s.associations.map((a) => ({
    table: a.table,
    id: Number(a.id),
    medium: a.medium,
    address: shown(a.medium, a.address),
    mxid: a.mxid === null ? null : shown("mxid", a.mxid),
    state: a.state,
    originServer: a.originServer,
    originId: Number(a.originId),
    at: iso(a.tsMs), notBefore: iso(a.notBeforeMs), notAfter: iso(a.notAfterMs),
    lookupHash: a.lookupHash === null ? null : reveal ? a.lookupHash : shortenHash(a.lookupHash),
    deliveredTo: (a.deliveredTo ?? []).map((d) => ({ peer: d.peer, active: d.active, received: d.received })),
    sgAssocCarriesInvites: a.sgAssocCarriesInvites ?? false,
  }));
  const sessions = s.sessions.map((x, n) => ({
    ref: reveal ? x.sid : `session ${n + 1}`,
    medium: x.medium,
    address: shown(x.medium, x.addressAsStored),
    validated: x.validated,
    lastModified: iso(x.mtimeMs),
    tokenRows: x.tokenRows,
    secretsHeld: x.secretsHeld,
  }));
  const invitesTo = s.invitesTo.map((i) => presentInvite(i, shown, reveal));
  const invitesFrom = s.invitesFrom.map((i) => presentInvite(i, shown, reveal));
  const acc = s.account;
  const account = acc
    ? { present: true, userId: shown("mxid", acc.userId), createdAt: iso(acc.createdTsMs), consentVersion: acc.consentVersion, activeTokens: acc.activeTokens, acceptedTerms: acc.acceptedTermsUrls.length, acceptedTermsUrls: acc.acceptedTermsUrls }
    : { present: false, userId: null, createdAt: null, consentVersion: null, activeTokens: 0, acceptedTerms: 0, acceptedTermsUrls: [] as string[] };
  const embedded = s.embeddedInOthers.map((e) => ({
    globalId: Number(e.globalId),
    rowMedium: e.rowMedium,
    rowAddress: maskOther(e.rowMedium, e.rowAddress),
    rowMxid: maskMxid(e.rowMxid),
    originServer: e.originServer,
    embeds: e.embeds,
  }));
  const count = (state: string, table?: string) => associations.filter((a) => a.state === state && (!table || a.table === table)).length;
  const hasData = associations.length + sessions.length + invitesTo.length + invitesFrom.length + embedded.length + (acc ? 1 : 0) > 0;
  return {
    id: s.server.id, label: s.server.label, serverName: s.server.serverName,
    ok: s.ok, error: s.error ?? null, hasData,
    counts: {
      local: associations.filter((a) => a.table === "local").length,
      global: associations.filter((a) => a.table === "global").length,
      bound: count("bound"),
      tombstones: count("tombstone"),
    },
    associations, sessions,
    invites: { to: { count: invitesTo.length, items: invitesTo }, from: { count: invitesFrom.length, items: invitesFrom } },
    account,
    embeddedInOthers: { count: embedded.length, items: embedded },
    peers: s.peers.map((p) => ({ name: p.name, active: p.active })),
  };
}
export type ServerView = ReturnType<typeof presentServer>;

// --- log lines ---------------------------------------------------------------------------------

const SECRET_PARAM = /\b(client_secret|token|access_token|sid_secret|nextLink|next_link)=([^&\s"]+)/gi;
const CODE_PHRASE = /\b((?:mail|text) code )(\S+)/gi;
const EMAIL = /[^\s"'<>()=&/?,;[\]]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const MXID = /@[A-Za-z0-9._=\-/]+:[A-Za-z0-9.-]+(?::\d+)?/g;
const DIGITS = /(?<![\d.])\d{7,15}(?![\d.])/g;

/**
 * A revealed log line: secrets withheld, other people's e-mails, Matrix IDs and phone numbers masked,
 * the subject's own identifiers left in clear. Over-masking (e.g. a number that only looks like a
 * phone number) is accepted; under-masking is not.
 */
export function maskLogLine(line: string, own: SubjectFindings["identifiers"]): string {
  const emails = new Set(own.emails.map((e) => e.toLowerCase()));
  const mine = new Set([...own.msisdns, ...own.sids.map(String)]);
  const mxids = new Set(own.mxids);
  return line
    .replace(SECRET_PARAM, (_m, k: string) => `${k}=[secret withheld]`)
    .replace(CODE_PHRASE, (_m, p: string) => `${p}[secret withheld]`)
    .replace(EMAIL, (m) => {
      const plain = decodeURIComponentSafe(m).toLowerCase();
      return emails.has(plain) ? m : maskEmailAddress(plain);
    })
    .replace(MXID, (m) => (mxids.has(m) ? m : maskMxid(m)))
    .replace(DIGITS, (m) => (mine.has(m) || !parsePhoneNumberFromString(`+${m}`)?.isPossible() ? m : maskMsisdn(m)));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%40/gi, "@");
  }
}

export function presentLogs(logs: NonNullable<SubjectFindings["logs"]>, own: SubjectFindings["identifiers"], reveal: boolean) {
  const r = logs.report;
  return {
    filesSearched: r.filesSearched,
    linesScanned: r.linesScanned,
    bytesRead: r.bytesRead,
    matches: logs.findings.length,
    problems: r.problems.map((p) => ({ file: p.file, problem: p.problem, detail: p.detail })),
    files: r.files.map((f) => ({ file: f.file, source: f.source, matches: f.matches, newestLineAt: f.newestLineAt, expiresAt: f.expiresAt })),
    lastCopyExpiresAt: latest(logs.findings.map((f) => f.expiresAt)),
    lines: reveal ? logs.findings.map((f: LogFinding) => ({
      file: f.file, source: f.source, origin: f.origin, lineNo: f.lineNo, at: f.at, matched: f.matched, expiresAt: f.expiresAt,
      text: maskLogLine(f.line, own),
    })) : null,
  };
}
export type LogsView = ReturnType<typeof presentLogs>;

function latest(values: (string | null)[]): string | null {
  const v = values.filter((x): x is string => !!x).sort();
  return v.length ? v[v.length - 1] : null;
}
