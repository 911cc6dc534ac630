import { db } from "@/lib/db";
import type { PackageSummary } from "@/lib/exports/types";

// Reads of ExportPackage rows for the request page and the review page (no personal data beyond
// the masked subject; the token hash never leaves the database).

const select = {
  id: true, requestId: true, kind: true, state: true, subjectMasked: true, generatedById: true, generatedAt: true,
  approvedById: true, approvedAt: true, sha256: true, sizeBytes: true, summary: true, downloadExpiresAt: true,
  downloadedAt: true, revokedAt: true,
} as const;

async function namesOf(ids: (string | null)[]) {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  const rows = await db().staff.findMany({ where: { id: { in: wanted } }, select: { id: true, displayName: true, role: true } });
  return new Map(rows.map((r) => [r.id, `${r.displayName} (${r.role})`]));
}

function effectiveState(p: { state: string; downloadExpiresAt: Date | null }, now: Date): string {
  return p.state === "approved" && p.downloadExpiresAt && p.downloadExpiresAt <= now ? "expired" : p.state;
}

export async function findRequestPackages(requestId: string, now = new Date()) {
  const rows = await db().exportPackage.findMany({ where: { requestId }, orderBy: { generatedAt: "desc" }, select });
  const names = await namesOf(rows.flatMap((r) => [r.generatedById, r.approvedById]));
  return rows.map((r) => ({
    id: r.id, kind: r.kind, state: effectiveState(r, now), generatedAt: r.generatedAt.toISOString(),
    generatedBy: names.get(r.generatedById) ?? "unknown", approvedBy: r.approvedById ? names.get(r.approvedById) ?? "unknown" : null,
  }));
}
export type RequestPackageRow = Awaited<ReturnType<typeof findRequestPackages>>[number];

export async function getPackage(packageId: string, requestId: string, now = new Date()) {
  const r = await db().exportPackage.findFirst({ where: { id: packageId, requestId }, select });
  if (!r) return null;
  const names = await namesOf([r.generatedById, r.approvedById]);
  return {
    ...r,
    state: effectiveState(r, now),
    summary: JSON.parse(r.summary) as PackageSummary,
    generatedByName: names.get(r.generatedById) ?? "unknown",
    approvedByName: r.approvedById ? names.get(r.approvedById) ?? "unknown" : null,
  };
}
export type PackageView = NonNullable<Awaited<ReturnType<typeof getPackage>>>;
