import { db } from "@/lib/db";
import type { RetentionClass } from "@/lib/logs/retention";
import type { FileVerdict } from "@/lib/retention/audit-files";
import type { SourceFinding } from "@/lib/retention/audit-sources";
import type { StoreAudit } from "@/lib/retention/stores";

// What the retention pages show, read from the signed attestations (the page never re-reads
// gigabytes of logs on a render): per source, the newest of the last audit and the re-audit after
// an enforcement. No log line is ever stored, only file names, dates and counts.

export type AttestedClass = { oldestAt: string | null; lines: number; overdueLines: number; periodDays: number; ageDays: Record<string, number> };
export type AttestedFile = { file: string; verdict: FileVerdict; rotated: boolean; gzip: boolean; lines: number; overdueLines: number; oldestLineAt: string | null; newestLineAt: string | null; mtime: string | null; mustBeGoneBy: string | null; overdueDays: number;
  /** Lines per class in this file (attestations from before per-file classes have none). */
  classes?: Partial<Record<RetentionClass, { lines: number; overdueLines: number }>> };
export type AttestedSource = { source: string; policyDays: Record<RetentionClass, number>; classes: Partial<Record<RetentionClass, AttestedClass>>; files: AttestedFile[]; findings: (Pick<SourceFinding, "kind" | "detail"> & { file: string | null; overdueDays: number | null })[] };
export type SourceView = AttestedSource & { at: string; attestationId: string };

type Payload = { createdAt: string; kind: string; audit?: { sources: AttestedSource[]; stores: StoreAudit[] }; reaudit?: AttestedSource | null };

export async function latestRetentionView() {
  const rows = await db().retentionAttestation.findMany({ orderBy: { createdAt: "desc" }, take: 100, select: { id: true, payload: true, createdAt: true, kind: true } });
  const sources = new Map<string, SourceView>();
  let stores: StoreAudit[] | null = null;
  let lastAuditAt: string | null = null;
  for (const r of rows) {
    const p = JSON.parse(r.payload) as Payload;
    const list = p.audit?.sources ?? (p.reaudit ? [p.reaudit] : []);
    for (const s of list) if (!sources.has(s.source)) sources.set(s.source, { ...s, at: p.createdAt, attestationId: r.id });
    if (p.audit && stores === null) {
      stores = p.audit.stores;
      lastAuditAt = p.createdAt;
    }
  }
  return { sources: [...sources.values()].sort((a, b) => a.source.localeCompare(b.source)), stores: stores ?? [], lastAuditAt };
}

/** For the dashboard: sources and stores overdue as of the latest evidence. */
export async function retentionAlarm() {
  const v = await latestRetentionView();
  const overdue = v.sources.filter((s) => s.files.some((f) => f.overdueLines > 0));
  const storesOverdue = v.stores.filter((s) => s.finding === "overdue");
  return { audited: v.lastAuditAt !== null, lastAuditAt: v.lastAuditAt, overdueSources: overdue.map((s) => ({ source: s.source, maxOverdueDays: Math.max(0, ...s.files.map((f) => f.overdueDays)) })), storesOverdue: storesOverdue.length };
}

export async function pendingEnforcements() {
  return db().retentionEnforcement.findMany({ where: { state: "awaiting_approval" }, orderBy: { createdAt: "asc" } });
}

export async function listAttestations(take = 200) {
  return db().retentionAttestation.findMany({ orderBy: { createdAt: "desc" }, take, select: { id: true, kind: true, createdAt: true, operatorLabel: true, accessLogSeq: true, payloadSha256: true, keyId: true, overdue: true, findings: true } });
}
