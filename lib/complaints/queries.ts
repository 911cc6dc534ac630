import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { can, type Role } from "@/lib/authz";
import { db } from "@/lib/db";
import { maskName } from "@/lib/mask";

// Reads of the complaint queue. Lists show the complainant masked (name initials, contact masked);
// the detail view adds links, correspondence and, for the DPO, the access-log entries about the
// person the complaint concerns ("who looked at me?" answered directly).

export type ComplaintViewer = { id: string; role: Role };

export async function findComplaints(o: {
  viewer: ComplaintViewer; page?: number; pageSize?: number; state?: string; mine?: boolean; now?: Date;
  sort?: "resolutionDue" | "firstResponseDue" | "receivedAt" | "reference" | "severity"; dir?: "asc" | "desc";
}) {
  const page = Math.max(1, o.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, o.pageSize ?? 25));
  const now = o.now ?? new Date();
  const where = {
    ...(o.state === "unresolved" ? { state: { not: "resolved" } } : o.state ? { state: o.state } : {}),
    ...(o.mine ? { ownerId: o.viewer.id } : {}),
  };
  const [rows, count] = await Promise.all([
    db().complaint.findMany({ where, orderBy: [{ [o.sort ?? "resolutionDue"]: o.dir ?? "asc" }, { reference: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db().complaint.count({ where }),
  ]);
  const owners = await staffNames(rows.map((r) => r.ownerId));
  const data = rows.map((r) => ({
    id: r.id, reference: r.reference, severity: r.severity, state: r.state, summary: r.summary,
    contactName: maskName(r.contactName), contactMasked: r.contactMasked, owner: r.ownerId ? (owners.get(r.ownerId) ?? "(unknown)") : null,
    receivedAt: r.receivedAt, firstResponseDue: r.firstResponseDue, resolutionDue: r.resolutionDue,
    firstResponseLate: !r.firstResponseAt && r.firstResponseDue < now && r.state !== "resolved",
    resolutionLate: !r.resolvedAt && r.resolutionDue < now,
  }));
  return { data, count, page, pageSize, totalPages: Math.max(1, Math.ceil(count / pageSize)) };
}

async function staffNames(ids: (string | null)[]) {
  const list = [...new Set(ids.filter((x): x is string => !!x))];
  if (list.length === 0) return new Map<string, string>();
  const staff = await db().staff.findMany({ where: { id: { in: list } }, select: { id: true, displayName: true } });
  return new Map(staff.map((s) => [s.id, s.displayName]));
}

/** One complaint for its page; the view itself is logged. */
export async function getComplaint(id: string, actor: Actor & { id: string; role: Role }) {
  const c = await db().complaint.findUnique({ where: { id } });
  if (!c) return null;
  const [links, messages] = await Promise.all([
    db().complaintLink.findMany({ where: { complaintId: id }, orderBy: { createdAt: "asc" } }),
    db().complaintMessage.findMany({ where: { complaintId: id }, orderBy: { createdAt: "asc" } }),
  ]);
  const names = await staffNames([c.ownerId, c.createdById, ...messages.map((m) => m.authorId), ...links.filter((l) => l.kind === "staff").map((l) => l.ref)]);
  const requestRefs = new Map(
    (await db().request.findMany({ where: { id: { in: links.filter((l) => l.kind === "request").map((l) => l.ref) } }, select: { id: true, reference: true } })).map((r) => [r.id, r.reference]),
  );
  // The DPO sees who accessed the person the complaint concerns, straight from the access log.
  const accessEntries = c.subjectPseudonym && can(actor.role, "accessLog.view") && can(actor.role, "complaints.resolveEscalated")
    ? await db().accessLogEntry.findMany({
        where: { targetPseudonym: c.subjectPseudonym },
        orderBy: { seq: "desc" },
        take: 200,
        select: { seq: true, at: true, actorLabel: true, actorRole: true, action: true, outcome: true, purpose: true, requestId: true },
      })
    : null;
  await recordAccess({ actor, action: "complaint.view", target: { type: "request", ref: id }, outcome: "ok", details: { reference: c.reference, accessEntries: accessEntries?.length ?? null } });
  return {
    id: c.id, reference: c.reference, severity: c.severity, state: c.state, summary: c.summary,
    contactName: can(actor.role, "requests.viewPersonal") ? c.contactName : maskName(c.contactName), contactMasked: c.contactMasked,
    owner: c.ownerId ? (names.get(c.ownerId) ?? "(unknown)") : null, ownerId: c.ownerId,
    createdBy: names.get(c.createdById) ?? "(unknown)", receivedAt: c.receivedAt, firstResponseDue: c.firstResponseDue,
    resolutionDue: c.resolutionDue, firstResponseAt: c.firstResponseAt, escalatedAt: c.escalatedAt, resolvedAt: c.resolvedAt,
    resolution: c.resolution, hasSubject: !!c.subjectPseudonym,
    links: links.map((l) => ({
      id: l.id, relation: l.relation, kind: l.kind, ref: l.ref,
      label: l.kind === "request" ? (requestRefs.get(l.ref) ?? l.ref) : l.kind === "staff" ? (names.get(l.ref) ?? l.ref) : l.kind === "accessLog" ? `#${l.ref}` : l.ref,
    })),
    messages: messages.map((m) => ({ id: m.id, direction: m.direction, template: m.template, body: m.body, author: names.get(m.authorId) ?? "(unknown)", at: m.createdAt })),
    accessEntries,
  };
}
export type ComplaintDetail = NonNullable<Awaited<ReturnType<typeof getComplaint>>>;
