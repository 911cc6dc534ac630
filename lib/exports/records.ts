import type { AccessHistoryEntry, Redaction } from "@/lib/exports/types";
import { ANOTHER_USER, identityOf, isSubjectAddress, maskAddress, redactLogLine, reviewerMask } from "@/lib/exports/redaction";
import type { SubjectFindings } from "@/lib/subjects/types";
import { accountsOf } from "@/lib/subjects/accounts";

// Turns the search findings into the package's records, one array per record kind, with the
// redaction policy (redaction.ts) applied and every redaction listed for the reviewer.
// Timestamps: ISO 8601 UTC plus the value as Sydent stored it and its unit ("ms" or "s").

type Stamp = Record<string, string | number | null>;

export function stamp(name: string, value: number | null, unit: "ms" | "s"): Stamp {
  const ms = value === null ? null : unit === "s" ? value * 1000 : value;
  const iso = ms === null || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15 ? null : new Date(ms).toISOString();
  return { [name]: iso, [`${name}Original`]: value, [`${name}Unit`]: unit };
}

export type Row = Record<string, unknown>;
export type Records = Record<(typeof RECORD_KINDS)[number], Row[]>;
export type Secret = { server: string; table: string; secret: string; count: number; statement: string };

export const RECORD_KINDS = [
  "bindings", "sessions", "invites_to", "invites_from", "v2_account", "accepted_terms",
  "embedded_in_other_records", "log_lines", "recipients", "access_history",
] as const;

const LOCAL = "local_threepid_associations";
const GLOBAL = "global_threepid_associations";

export function buildRecords(f: SubjectFindings, history: AccessHistoryEntry[]) {
  const id = identityOf(f);
  const r: Records = Object.fromEntries(RECORD_KINDS.map((k) => [k, [] as Row[]])) as Records;
  const redactions: Redaction[] = [];
  const secrets: Secret[] = [];
  const secret = (server: string, table: string, name: string, count: number, what: string) => {
    if (count > 0) secrets.push({ server, table, secret: name, count, statement: `${count} ${what} ${count === 1 ? "exists" : "exist"}; the value is never disclosed.` });
  };

  for (const s of f.servers) {
    const server = s.server.serverName;
    for (const a of s.associations) {
      r.bindings.push({
        server, table: a.table === "local" ? LOCAL : GLOBAL, rowId: a.id, medium: a.medium, address: a.address, mxid: a.mxid,
        state: a.state, originServer: a.originServer, originId: a.originId,
        ...stamp("ts", a.tsMs, "ms"), ...stamp("notBefore", a.notBeforeMs, "ms"), ...stamp("notAfter", a.notAfterMs, "ms"),
        lookupHash: a.lookupHash,
        deliveredToPeers: a.deliveredTo?.filter((d) => d.received).map((d) => d.peer) ?? null,
        pendingForPeers: a.deliveredTo?.filter((d) => !d.received).map((d) => d.peer) ?? null,
      });
    }
    for (const x of s.sessions) {
      r.sessions.push({
        server, table: "threepid_validation_sessions", sid: x.sid, medium: x.medium, address: x.addressAsStored,
        validated: x.validated, ...stamp("mtime", x.mtimeMs, "ms"), tokenRows: x.tokenRows,
      });
    }
    secret(server, "threepid_validation_sessions", "client_secret", s.sessions.filter((x) => x.secretsHeld.includes("client_secret")).length, "client secret(s) of your validation sessions");
    secret(server, "threepid_token_auths", "validation_token", s.sessions.reduce((n, x) => n + x.tokenRows, 0), "validation code(s) sent to you");
    for (const i of s.invitesTo) {
      const own = id.mxids.has(i.sender);
      if (!own) redactions.push({ rule: "inviter", recordKind: "invites_to", where: `${server} invite_tokens #${i.id}`, before: reviewerMask(i.sender), after: ANOTHER_USER });
      r.invites_to.push({
        server, table: "invite_tokens", rowId: i.id, medium: i.medium, address: i.address, roomId: i.roomId,
        sender: own ? i.sender : ANOTHER_USER, state: i.state, ...stamp("received", i.receivedTs, "s"), ...stamp("sent", i.sentTs, "s"),
      });
    }
    for (const i of s.invitesFrom) {
      const own = isSubjectAddress(id, i.medium, i.address);
      const after = own ? i.address : maskAddress(i.medium, i.address);
      if (!own) redactions.push({ rule: "invitee-address", recordKind: "invites_from", where: `${server} invite_tokens #${i.id}`, before: reviewerMask(i.address), after });
      r.invites_from.push({
        server, table: "invite_tokens", rowId: i.id, medium: i.medium, address: after, roomId: i.roomId, sender: i.sender,
        state: i.state, ...stamp("received", i.receivedTs, "s"), ...stamp("sent", i.sentTs, "s"),
      });
    }
    secret(server, "invite_tokens", "invite_token", s.invitesTo.length + s.invitesFrom.length, "invite token(s)");
    for (const acc of accountsOf(s)) {
      r.v2_account.push({ server, table: "accounts", userId: acc.userId, ...stamp("created", acc.createdTsMs, "ms"), consentVersion: acc.consentVersion, activeTokens: acc.activeTokens });
      for (const url of acc.acceptedTermsUrls) r.accepted_terms.push({ server, table: "accepted_terms_urls", userId: acc.userId, url });
      secret(server, "tokens", "v2_access_token", acc.activeTokens, "active access token(s) for your v2 account");
    }
    if (s.embeddedInOthers.length > 0) {
      const embeds = [...new Set(s.embeddedInOthers.flatMap((e) => e.embeds))].sort();
      const statement = `Your ${embeds.join(" and ")} appear${embeds.length === 1 ? "s" : ""} in ${s.embeddedInOthers.length} signed record(s) of other users' bindings on ${server} (a Sydent defect: invites are copied into the signed binding).`;
      r.embedded_in_other_records.push({ server, table: GLOBAL, column: "sgAssoc", count: s.embeddedInOthers.length, embeds: embeds.join(" "), statement });
      for (const e of s.embeddedInOthers) {
        redactions.push({ rule: "embedded-records", recordKind: "embedded_in_other_records", where: `${server} ${GLOBAL} #${e.globalId}`, before: `${e.rowMedium} ${reviewerMask(e.rowAddress)} → ${reviewerMask(e.rowMxid)}`, after: "counted only" });
      }
    }
    for (const p of s.peers) r.recipients.push({ server, recipient: p.name, kind: "replication_peer", active: p.active });
  }
  r.recipients.push({ server: null, recipient: "your homeserver", kind: "homeserver", active: null });

  for (const l of f.logs?.findings ?? []) {
    const red = redactLogLine(l.line, id);
    const file = l.file.split("/").pop() ?? l.file;
    const where = `${l.origin} ${file}:${l.lineNo}`;
    for (const t of red.thirdParty) redactions.push({ rule: "log-third-party", recordKind: "log_lines", where, ...t });
    if (red.secrets > 0) redactions.push({ rule: "log-secret", recordKind: "log_lines", where, before: `${red.secrets} secret value(s)`, after: "[withheld]" });
    r.log_lines.push({ source: l.source, origin: l.origin, file, lineNo: l.lineNo, at: l.at, expiresAt: l.expiresAt, matched: l.matched.join(" "), line: red.line });
  }
  for (const h of history) r.access_history.push({ seq: h.seq ?? null, at: h.at.toISOString(), role: h.role, action: h.action, purpose: h.purpose, outcome: h.outcome });
  return { records: r, redactions, secrets };
}
