import { db } from "@/lib/db";
import { sydentRaw } from "@/lib/sydent/open";
import { DAY_MS } from "@/lib/retention/audit-files";

// Retention of records that are not log lines: Sydent's tables that hold personal data with a
// timestamp, and Custodian's own stores. Each gets the age of its oldest record against a policy
// ("store:<name>", class "records"). The notice promises nothing for most of them: "no policy" is
// a finding for the DPO to decide, never hidden. Sydent is read with one short statement per table
// (MIN over a column; units from shared/domain/sydent.md: ms or SECONDS as noted).

export type StoreAudit = {
  store: string;
  where: string;
  description: string;
  records: number;
  oldestAt: string | null;
  policyDays: number | null;
  /** Days past the policy (0 when within, null without a policy or records). */
  overdueDays: number | null;
  finding: "within" | "overdue" | "no-policy" | "unreadable" | "empty";
  detail?: string;
};

type SydentStore = { store: string; description: string; sql: string; unit: "ms" | "s" };

const SYDENT_STORES: SydentStore[] = [
  { store: "sydent.threepid_validation_sessions", description: "Validation sessions (address as typed, client secret)", sql: "SELECT COUNT(*) AS n, MIN(mtime) AS t FROM threepid_validation_sessions", unit: "ms" },
  { store: "sydent.threepid_token_auths", description: "Validation tokens (dated by their session)", sql: "SELECT COUNT(*) AS n, MIN(s.mtime) AS t FROM threepid_token_auths a JOIN threepid_validation_sessions s ON s.id = a.validationSession", unit: "ms" },
  { store: "sydent.invite_tokens", description: "Undelivered invites (invitee address, room, sender)", sql: "SELECT COUNT(*) AS n, MIN(received_ts) AS t FROM invite_tokens WHERE sent_ts IS NULL", unit: "s" },
  { store: "sydent.ephemeral_public_keys", description: "Ephemeral keys of invites", sql: "SELECT COUNT(*) AS n, MIN(persistence_ts) AS t FROM ephemeral_public_keys", unit: "s" },
  { store: "sydent.accounts", description: "v2 accounts (Matrix ID)", sql: "SELECT COUNT(*) AS n, MIN(created_ts) AS t FROM accounts", unit: "ms" },
  { store: "sydent.tokens", description: "v2 access tokens (dated by their account)", sql: "SELECT COUNT(*) AS n, MIN(a.created_ts) AS t FROM tokens k JOIN accounts a ON a.user_id = k.user_id", unit: "ms" },
];

function judge(a: Omit<StoreAudit, "overdueDays" | "finding">, now: Date): StoreAudit {
  if (!a.records || !a.oldestAt) return { ...a, overdueDays: null, finding: "empty" };
  if (a.policyDays === null) return { ...a, overdueDays: null, finding: "no-policy", detail: "No retention policy: the DPO should decide one (the notice sets none)." };
  const due = Date.parse(a.oldestAt) + a.policyDays * DAY_MS;
  const overdueDays = due < now.getTime() ? Math.floor((now.getTime() - due) / DAY_MS) : 0;
  return { ...a, overdueDays, finding: due < now.getTime() ? "overdue" : "within" };
}

const iso = (t: number | bigint | null, unit: "ms" | "s") => (t === null || t === undefined ? null : new Date(Number(t) * (unit === "s" ? 1000 : 1)).toISOString());

export async function auditStores(servers: { label: string; dbPath: string }[], storeDays: (store: string) => number | null, now: Date): Promise<StoreAudit[]> {
  const out: StoreAudit[] = [];
  for (const s of servers) {
    for (const t of SYDENT_STORES) {
      const base = { store: t.store, where: s.label, description: t.description, policyDays: storeDays(t.store) };
      try {
        const row = sydentRaw(s.dbPath).prepare(t.sql).get() as { n: number; t: number | null };
        out.push(judge({ ...base, records: Number(row.n), oldestAt: iso(row.t, t.unit) }, now));
      } catch (e) {
        out.push({ ...base, records: 0, oldestAt: null, overdueDays: null, finding: "unreadable", detail: (e as Error).message });
      }
    }
  }
  const c = db();
  const [logIp, attempts, packages, batches] = await Promise.all([
    c.accessLogEntry.aggregate({ where: { OR: [{ ip: { not: null } }, { userAgent: { not: null } }] }, _count: true, _min: { at: true } }),
    c.loginAttempt.aggregate({ _count: true, _min: { createdAt: true } }),
    c.exportPackage.aggregate({ where: { state: { in: ["generated", "approved"] } }, _count: true, _min: { generatedAt: true } }),
    c.erasureBatch.aggregate({ _count: true, _min: { createdAt: true } }),
  ]);
  const consoleStores: [string, string, number, Date | null][] = [
    ["console.access_log_ip_ua", "Access-log entries' IP addresses and user agents", logIp._count, logIp._min.at],
    ["console.login_attempts", "Sign-in attempts (e-mail, IP address)", attempts._count, attempts._min.createdAt],
    ["console.packages", "Stored access/portability packages not yet downloaded", packages._count, packages._min.generatedAt],
    ["console.bulk_inputs", "Bulk-erasure uploads (encrypted rows)", batches._count, batches._min.createdAt],
  ];
  for (const [store, description, n, t] of consoleStores) {
    out.push(judge({ store, where: "console", description, records: n, oldestAt: t ? t.toISOString() : null, policyDays: storeDays(store) }, now));
  }
  return out;
}
