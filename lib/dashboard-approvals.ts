import { can, type Role } from "@/lib/authz";
import { db } from "@/lib/db";
import { pendingGrants } from "@/lib/staff/grants";

// "Waiting for me to approve": what a second person must release and this operator may release
// (the permission, and not the one who asked: separation of duties). References and masked
// identifiers only, each with the page where the approval is given.

export type WaitingItem = { kind: "package" | "erasure" | "bulk" | "grant"; id: string; href: string; label: string; since: Date };

export async function waitingForMe(me: { id: string; role: Role }, limit = 20): Promise<WaitingItem[]> {
  const items: WaitingItem[] = [];
  const [packages, erasures, batches, grants] = await Promise.all([
    can(me.role, "exports.approve")
      ? db().exportPackage.findMany({ where: { state: "generated", NOT: { generatedById: me.id } }, orderBy: { generatedAt: "asc" }, take: limit })
      : [],
    can(me.role, "erasure.approve")
      ? db().erasureJob.findMany({ where: { state: "awaiting_approval", NOT: { requestedById: me.id } }, orderBy: { createdAt: "asc" }, take: limit })
      : [],
    can(me.role, "erasure.approve")
      ? db().erasureBatch.findMany({ where: { state: "awaiting_approval", NOT: { createdById: me.id } }, orderBy: { createdAt: "asc" }, take: limit })
      : [],
    can(me.role, "staff.manage") ? pendingGrants() : [],
  ]);
  const refs = new Map(
    (await db().request.findMany({
      where: { id: { in: [...packages.map((p) => p.requestId), ...erasures.map((e) => e.requestId)] } },
      select: { id: true, reference: true },
    })).map((r) => [r.id, r.reference]),
  );
  for (const p of packages) {
    items.push({ kind: "package", id: p.id, href: `/requests/${p.requestId}/packages/${p.id}`, label: `${p.kind === "portability" ? "Portability" : "Access"} package for ${refs.get(p.requestId) ?? "a request"}`, since: p.generatedAt });
  }
  for (const e of erasures) {
    items.push({ kind: "erasure", id: e.id, href: `/erasures/${e.id}`, label: `Erasure of ${e.subjectMasked} (${refs.get(e.requestId) ?? "request"})`, since: e.createdAt });
  }
  for (const b of batches) {
    items.push({ kind: "bulk", id: b.id, href: `/erasures/bulk/${b.id}`, label: `Bulk erasure batch of ${b.validRows} row(s)`, since: b.createdAt });
  }
  const staffIds = grants.map((g) => g.staffId);
  const names = new Map((await db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, displayName: true } })).map((s) => [s.id, s.displayName]));
  for (const g of grants) {
    if (g.requestedById === me.id || g.staffId === me.id) continue;
    items.push({ kind: "grant", id: String(g.seq), href: "/admin/staff", label: `Staff grant: ${g.role} role for ${names.get(g.staffId) ?? "an account"}`, since: g.requestedAt });
  }
  return items.sort((a, b) => a.since.getTime() - b.since.getTime()).slice(0, limit);
}
