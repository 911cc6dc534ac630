import { z } from "zod";
import { db } from "@/lib/db";
import type { RetentionClass } from "@/lib/logs/retention";
import { DAY_MS, type FileVerdict } from "@/lib/retention/audit-files";
import type { SourceFinding } from "@/lib/retention/audit-sources";
import { retentionNow } from "@/lib/retention/clock";
import { listServers } from "@/lib/servers/queries";
import type { StoreAudit } from "@/lib/retention/stores";
import { paginationSchema, sortSchema } from "@/lib/validation";

// What the retention pages show, read from the signed attestations (the page never re-reads
// gigabytes of logs on a render): per source, the newest of the last audit and the re-audit after
// an enforcement. No log line is ever stored, only file names, dates and counts.

export type AttestedClass = { oldestAt: string | null; lines: number; overdueLines: number; periodDays: number; ageDays: Record<string, number> };
export type AttestedFile = { file: string; verdict: FileVerdict; rotated: boolean; gzip: boolean; lines: number; overdueLines: number; oldestLineAt: string | null; newestLineAt: string | null; mtime: string | null; mustBeGoneBy: string | null; overdueDays: number;
  /** When the file's first line falls due (attestations from before this field have only mustBeGoneBy). */
  firstLineDueAt?: string | null;
  /** Lines per class in this file (attestations from before per-file classes have none). */
  classes?: Partial<Record<RetentionClass, { lines: number; overdueLines: number }>> };
export type AttestedSource = { source: string; policyDays: Record<RetentionClass, number>; classes: Partial<Record<RetentionClass, AttestedClass>>; files: AttestedFile[]; findings: (Pick<SourceFinding, "kind" | "detail"> & { file: string | null; overdueDays: number | null })[] };
/** A file the attestation judged within that has fallen due since (its due date is past `asOf`). */
export type DueSinceAudit = { file: string; dueAt: string; overdueDays: number };
export type SourceView = AttestedSource & {
  at: string; attestationId: string;
  /** The time the attestation judged the files as of (a backdated audit judged the past). */
  judgedAsOf: string;
  /** As of the view's time: anything overdue, recorded by the audit or fallen due since. */
  overdueNow: boolean; maxOverdueDaysNow: number; dueSinceAudit: DueSinceAudit[];
};
export type StoreView = StoreAudit & { at: string; attestationId: string; judgedAsOf: string; overdueNow: boolean; overdueDaysNow: number | null };

type Payload = { createdAt: string; judgedAsOf?: string; kind: string; audit?: { sources: AttestedSource[]; stores: StoreAudit[] }; reaudit?: AttestedSource | null };

/** The dashboard alarm calls the newest audit stale after this many hours (retention:audit runs daily from cron; 12 h of slack). */
export const RETENTION_AUDIT_STALE_HOURS = 36;

const daysPast = (dueMs: number, nowMs: number) => Math.floor((nowMs - dueMs) / DAY_MS);

/** A file's due date: its first line's (a rotated file straddles from then), or for older attestations its last line's. */
function dueAtOf(f: AttestedFile): string | null {
  return f.firstLineDueAt ?? f.mustBeGoneBy ?? null;
}

function judgeSourceNow(s: AttestedSource, nowMs: number): Pick<SourceView, "overdueNow" | "maxOverdueDaysNow" | "dueSinceAudit"> {
  let max = 0;
  let overdue = false;
  const dueSince: DueSinceAudit[] = [];
  for (const f of s.files) {
    const due = dueAtOf(f);
    const dueMs = due ? Date.parse(due) : NaN;
    const pastNow = Number.isFinite(dueMs) && dueMs < nowMs;
    if (f.overdueLines > 0) {
      overdue = true;
      max = Math.max(max, f.overdueDays, f.firstLineDueAt && pastNow ? daysPast(dueMs, nowMs) : 0);
    } else if (pastNow) {
      overdue = true;
      const days = daysPast(dueMs, nowMs);
      max = Math.max(max, days);
      dueSince.push({ file: f.file, dueAt: due!, overdueDays: days });
    }
  }
  return { overdueNow: overdue, maxOverdueDaysNow: max, dueSinceAudit: dueSince.sort((a, b) => a.dueAt.localeCompare(b.dueAt)) };
}

function judgeStoreNow(s: StoreAudit, nowMs: number): Pick<StoreView, "overdueNow" | "overdueDaysNow"> {
  if (s.finding === "overdue") return { overdueNow: true, overdueDaysNow: Math.max(s.overdueDays ?? 0, s.oldestAt && s.policyDays !== null ? daysPast(Date.parse(s.oldestAt) + s.policyDays * DAY_MS, nowMs) : 0) };
  if (s.finding === "within" && s.oldestAt && s.policyDays !== null) {
    const due = Date.parse(s.oldestAt) + s.policyDays * DAY_MS;
    if (due < nowMs) return { overdueNow: true, overdueDaysNow: daysPast(due, nowMs) };
  }
  return { overdueNow: false, overdueDaysNow: s.overdueDays };
}

/**
 * What the retention pages show, judged as of `asOf` (the console's retention clock, i.e. the real
 * present outside demos): per log source the newest attestation that covered it (audit or re-audit
 * after an enforcement); per place (a Sydent server's tables, the console's stores) the newest
 * audit that covered that place, so an audit of one server (`--server X`) never hides another
 * server's findings. Whatever an attestation judged (as of its judgedAsOf, which a backdated audit
 * puts in the past), a file or store whose due date is before `asOf` counts as overdue now.
 */
export async function latestRetentionView(asOf: Date = retentionNow()) {
  const nowMs = asOf.getTime();
  const rows = await db().retentionAttestation.findMany({ orderBy: { createdAt: "desc" }, take: 100, select: { id: true, payload: true, createdAt: true, kind: true } });
  const sources = new Map<string, SourceView>();
  const storesByPlace = new Map<string, StoreView[]>();
  let lastAuditAt: string | null = null;
  for (const r of rows) {
    const p = JSON.parse(r.payload) as Payload;
    const judgedAsOf = p.judgedAsOf ?? p.createdAt;
    const list = p.audit?.sources ?? (p.reaudit ? [p.reaudit] : []);
    for (const s of list) if (!sources.has(s.source)) sources.set(s.source, { ...s, at: p.createdAt, attestationId: r.id, judgedAsOf, ...judgeSourceNow(s, nowMs) });
    if (p.audit) {
      lastAuditAt ??= p.createdAt;
      const places = new Map<string, StoreView[]>();
      for (const st of p.audit.stores) {
        if (!places.has(st.where)) places.set(st.where, []);
        places.get(st.where)!.push({ ...st, at: p.createdAt, attestationId: r.id, judgedAsOf, ...judgeStoreNow(st, nowMs) });
      }
      for (const [where, list] of places) if (!storesByPlace.has(where)) storesByPlace.set(where, list);
    }
  }
  // The console's stores last, each server's tables in label order (as one audit lists them).
  const places = [...storesByPlace.keys()].sort((a, b) => (a === "console" ? 1 : b === "console" ? -1 : a.localeCompare(b)));
  return { asOf: asOf.toISOString(), sources: [...sources.values()].sort((a, b) => a.source.localeCompare(b.source)), stores: places.flatMap((w) => storesByPlace.get(w)!), lastAuditAt };
}

export type RetentionAlarm = {
  audited: boolean;
  lastAuditAt: string | null;
  /** No audit yet, the newest one is older than RETENTION_AUDIT_STALE_HOURS, or so is some registered server's evidence. */
  stale: boolean;
  /** Registered servers whose log or tables were never audited (lastAuditAt null) or not within RETENTION_AUDIT_STALE_HOURS. */
  staleServers: { server: string; lastAuditAt: string | null }[];
  staleHours: number;
  overdueSources: { source: string; maxOverdueDays: number; dueSinceAudit: number }[];
  /** Files the last audit judged within whose due date has passed since. */
  dueSinceAudit: number;
  storesOverdue: number;
};

/**
 * The dashboard's alarm: sources and stores overdue as of `asOf` (recorded by the newest evidence
 * or fallen due since it), and whether the newest audit, or any registered server's newest
 * evidence, is missing or older than RETENTION_AUDIT_STALE_HOURS by the real clock.
 */
export async function retentionAlarm(o: { asOf?: Date; clock?: Date } = {}): Promise<RetentionAlarm> {
  const clock = o.clock ?? new Date();
  const v = await latestRetentionView(o.asOf ?? retentionNow(clock));
  const overdue = v.sources.filter((s) => s.overdueNow);
  const tooOld = (at: string | null) => at === null || clock.getTime() - Date.parse(at) > RETENTION_AUDIT_STALE_HOURS * 3_600_000;
  // Per registered server, its oldest piece of evidence (its Sydent log, its tables): an audit of
  // other servers (--server) does not make this one's evidence fresh.
  const staleServers: RetentionAlarm["staleServers"] = [];
  for (const server of await listServers()) {
    const logAt = server.sydentLogPaths.length ? (v.sources.find((s) => s.source === `sydent:${server.label}`)?.at ?? null) : undefined;
    const tablesAt = v.stores.find((s) => s.where === server.label)?.at ?? null;
    const oldest = logAt === null || tablesAt === null ? null : logAt === undefined || tablesAt < logAt ? tablesAt : logAt;
    if (tooOld(oldest)) staleServers.push({ server: server.label, lastAuditAt: oldest });
  }
  const stale = tooOld(v.lastAuditAt) || staleServers.length > 0;
  return {
    audited: v.lastAuditAt !== null, lastAuditAt: v.lastAuditAt, stale, staleServers, staleHours: RETENTION_AUDIT_STALE_HOURS,
    overdueSources: overdue.map((s) => ({ source: s.source, maxOverdueDays: s.maxOverdueDaysNow, dueSinceAudit: s.dueSinceAudit.length })),
    dueSinceAudit: v.sources.reduce((n, s) => n + s.dueSinceAudit.length, 0),
    storesOverdue: v.stores.filter((s) => s.overdueNow).length,
  };
}

export async function pendingEnforcements() {
  return db().retentionEnforcement.findMany({ where: { state: "awaiting_approval" }, orderBy: { createdAt: "asc" } });
}

// The auditor's list of signed attestations (/retention/attestations): paged, sorted and filtered
// on the server (components/data-table's URL contract), so every attestation, however old, can be
// listed and downloaded.
export const ATTESTATION_SORTS = ["createdAt", "kind", "operatorLabel", "findings", "accessLogSeq"] as const;
export const attestationSearchSchema = paginationSchema
  .extend(sortSchema(ATTESTATION_SORTS, "createdAt", "desc").shape)
  .extend({ kind: z.enum(["audit", "enforcement"]).optional().catch(undefined), overdue: z.enum(["yes", "no"]).optional().catch(undefined) });
export type AttestationSearch = z.infer<typeof attestationSearchSchema>;

/** One page of attestations; a page past the end shows the last one. */
export async function findAttestations(s: AttestationSearch) {
  const where = { ...(s.kind ? { kind: s.kind } : {}), ...(s.overdue ? { overdue: s.overdue === "yes" } : {}) };
  const count = await db().retentionAttestation.count({ where });
  const totalPages = Math.max(1, Math.ceil(count / s.pageSize));
  const page = Math.min(s.page, totalPages);
  const data = await db().retentionAttestation.findMany({
    where,
    orderBy: [{ [s.sort]: s.dir }, { createdAt: s.dir }, { id: s.dir }],
    skip: (page - 1) * s.pageSize,
    take: s.pageSize,
    select: { id: true, kind: true, createdAt: true, operatorLabel: true, accessLogSeq: true, payloadSha256: true, keyId: true, overdue: true, findings: true },
  });
  return { data, count, page, pageSize: s.pageSize, totalPages };
}
