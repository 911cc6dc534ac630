import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import Database from "better-sqlite3";
import { FIXTURE_DIR, fixtureDb, INSTANCES, truth, type Instance } from "@/lib/sydent/test-fixtures";
import type { LogFinding, ServerFindings, SubjectFindings } from "@/lib/subjects/types";

// Tests only: SubjectFindings for a truth.json subject, read from the real fixture with plain SQL
// and grep (independent of lib/subjects/search.ts), so the package builder and the workflow can
// be tested on real rows, real secrets and real log lines.

export type TruthSubject = {
  key: string; mxid: string | null;
  threepids: { medium: "email" | "msisdn"; address: string; state: string; origin?: string }[];
  invites_to: { instance: string; address: string; room_id: string; sender: string; state: string }[];
  invites_from: { instance: string; address: string; room_id: string; state: string }[];
  validation_sessions: { instance: string; sid: number }[];
  v2_account: Record<string, { present: boolean; tokens_active?: number; accepted_urls?: string[] }>;
  data_inside_other_rows_sgAssoc: { instance: string; global_id: number; row_medium: "email" | "msisdn"; row_address: string; row_mxid: string; row_originServer: string; present_as: string[] }[];
};

export const subjects: TruthSubject[] = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")).subjects;
export const REFERENCE_NOW = new Date("2026-11-27T14:17:58Z");

type R = Record<string, unknown>;

function serverFindings(i: Instance, s: TruthSubject): ServerFindings {
  const d = new Database(fixtureDb(i), { readonly: true });
  try {
    const name = truth.instances[i].server_name;
    const emails = s.threepids.filter((t) => t.medium === "email").map((t) => t.address);
    const msisdns = s.threepids.filter((t) => t.medium === "msisdn").map((t) => t.address);
    const match = (t: string) => `(${t}.medium = 'email' AND lower(${t}.address) IN (${emails.map(() => "?").join(",") || "NULL"})) OR (${t}.medium = 'msisdn' AND ${t}.address IN (${msisdns.map(() => "?").join(",") || "NULL"})) OR ${t}.mxid = ?`;
    const args = [...emails, ...msisdns, s.mxid ?? "\u0000"];
    const peers = d.prepare("SELECT name, lastSentVersion, active FROM peers").all() as R[];
    const local = d.prepare(`SELECT * FROM local_threepid_associations l WHERE ${match("l")}`).all(...args) as R[];
    const global = d.prepare(`SELECT * FROM global_threepid_associations g WHERE ${match("g")}`).all(...args) as R[];
    const assoc = (table: "local" | "global", r: R) => ({
      table, id: Number(r.id), medium: r.medium as "email" | "msisdn", address: String(r.address), mxid: (r.mxid as string) ?? null,
      tsMs: Number(r.ts), notBeforeMs: r.notBefore === null ? null : Number(r.notBefore), notAfterMs: r.notAfter === null ? null : Number(r.notAfter),
      originServer: table === "local" ? name : String(r.originServer), originId: table === "local" ? Number(r.id) : Number(r.originId),
      state: (r.mxid ? "bound" : "tombstone") as "bound" | "tombstone", lookupHash: (r.lookup_hash as string) ?? null,
      deliveredTo: table === "local" ? peers.map((p) => ({ peer: String(p.name), active: p.active === 1, received: Number(p.lastSentVersion ?? 0) >= Number(r.id) })) : undefined,
    });
    const sids = s.validation_sessions.filter((v) => v.instance === i).map((v) => v.sid);
    const sessions = sids.map((sid) => {
      const r = d.prepare("SELECT id, medium, address, validated, mtime, (SELECT count(*) FROM threepid_token_auths t WHERE t.validationSession = s.id) AS n FROM threepid_validation_sessions s WHERE id = ?").get(sid) as R | undefined;
      return r && { sid: String(r.id), medium: r.medium as "email" | "msisdn", addressAsStored: String(r.address), validated: r.validated === 1, mtimeMs: Number(r.mtime), tokenRows: Number(r.n), secretsHeld: ["client_secret" as const, ...(Number(r.n) ? ["validation_token" as const] : [])] };
    }).filter((x) => !!x);
    const invite = (dir: "to" | "from", r: R) => ({ id: Number(r.id), direction: dir, medium: r.medium as "email" | "msisdn", address: String(r.address), roomId: String(r.room_id), sender: String(r.sender), receivedTs: r.received_ts === null ? null : Number(r.received_ts), sentTs: r.sent_ts === null ? null : Number(r.sent_ts), state: (r.sent_ts === null ? "pending" : "sent_not_deleted") as "pending" | "sent_not_deleted" });
    const invitesTo = (d.prepare(`SELECT id, medium, address, room_id, sender, received_ts, sent_ts FROM invite_tokens i WHERE (medium = 'email' AND lower(address) IN (${emails.map(() => "?").join(",") || "NULL"})) OR (medium = 'msisdn' AND address IN (${msisdns.map(() => "?").join(",") || "NULL"}))`).all(...emails, ...msisdns) as R[]).map((r) => invite("to", r));
    const invitesFrom = (d.prepare("SELECT id, medium, address, room_id, sender, received_ts, sent_ts FROM invite_tokens WHERE sender = ?").all(s.mxid ?? "\u0000") as R[]).map((r) => invite("from", r));
    const acc = d.prepare("SELECT user_id, created_ts, consent_version FROM accounts WHERE user_id = ?").get(s.mxid ?? "\u0000") as R | undefined;
    const account = acc ? {
      userId: String(acc.user_id), createdTsMs: Number(acc.created_ts), consentVersion: (acc.consent_version as string) ?? null,
      activeTokens: Number((d.prepare("SELECT count(*) AS n FROM tokens WHERE user_id = ?").get(acc.user_id) as R).n),
      acceptedTermsUrls: (d.prepare("SELECT url FROM accepted_terms_urls WHERE user_id = ? ORDER BY url").all(acc.user_id) as R[]).map((u) => String(u.url)),
    } : null;
    const embedded = s.data_inside_other_rows_sgAssoc.filter((e) => e.instance === i).map((e) => ({
      globalId: e.global_id, rowMedium: e.row_medium, rowAddress: e.row_address, rowMxid: e.row_mxid, originServer: e.row_originServer,
      embeds: e.present_as.map((p) => (p === "sender" ? "mxid" : "address")) as ("address" | "mxid")[],
    }));
    return {
      server: { id: `srv-${i}`, label: i, serverName: name }, ok: true,
      associations: [...local.map((r) => assoc("local", r)), ...global.map((r) => assoc("global", r))],
      sessions, invitesTo, invitesFrom, account, embeddedInOthers: embedded,
      peers: peers.map((p) => ({ name: String(p.name), active: p.active === 1 })), timingsMs: {},
    };
  } finally {
    d.close();
  }
}

const LOG_FILES = ["is1/sydent.log", "is2/sydent.log", "haproxy/haproxy.log", "is1/sydent.log.2026-11-19.synthetic-aged.gz"];

function logFindings(s: TruthSubject, sids: string[]): LogFinding[] {
  const needles: [string, string][] = [
    ...s.threepids.filter((t) => t.medium === "email").flatMap((t): [string, string][] => [[t.address, "email"], [t.address.replace("@", "%40"), "email-urlencoded"]]),
    ...s.threepids.filter((t) => t.medium === "msisdn").map((t): [string, string] => [t.address, "msisdn"]),
    ...(s.mxid ? [[s.mxid, "mxid"] as [string, string]] : []),
    ...sids.map((sid): [string, string] => [`sid=${sid}`, "sid"]),
  ];
  const out: LogFinding[] = [];
  for (const rel of LOG_FILES) {
    const raw = fs.readFileSync(path.join(FIXTURE_DIR, rel));
    const text = (rel.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8");
    const source = rel.startsWith("haproxy") ? "haproxy" : "sydent";
    text.split("\n").forEach((line, n) => {
      const lower = line.toLowerCase();
      const matched = needles.filter(([v]) => lower.includes(v.toLowerCase())).map(([, k]) => k);
      if (matched.length === 0) return;
      const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)/.exec(line);
      const at = m ? new Date(`${m[1]}T${m[2]}Z`).toISOString() : null;
      const days = source === "haproxy" ? 60 : 7;
      out.push({ file: rel, source, origin: source === "haproxy" ? "haproxy" : rel.slice(0, 3), lineNo: n + 1, at, line, matched: [...new Set(matched)], expiresAt: at ? new Date(Date.parse(at) + days * 86_400_000).toISOString() : null });
    });
  }
  return out;
}

export function findingsFor(s: TruthSubject): SubjectFindings {
  const servers = INSTANCES.map((i) => serverFindings(i, s));
  const sids = servers.flatMap((x) => x.sessions.map((y) => y.sid));
  const findings = logFindings(s, sids);
  return {
    query: s.threepids[0] ? { kind: s.threepids[0].medium, address: s.threepids[0].address } : { kind: "mxid", mxid: s.mxid! },
    identifiers: {
      emails: s.threepids.filter((t) => t.medium === "email").map((t) => t.address),
      msisdns: s.threepids.filter((t) => t.medium === "msisdn").map((t) => t.address),
      mxids: s.mxid ? [s.mxid] : [], sids,
    },
    expanded: true, servers,
    logs: { findings, report: { filesSearched: LOG_FILES.length, linesScanned: 0, bytesRead: 0, problems: [], files: [] } },
    foundAnywhere: true, searchedAt: REFERENCE_NOW.toISOString(),
  };
}
