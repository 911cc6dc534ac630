import crypto from "node:crypto";
import type { Actor } from "@/lib/audit/types";
import type { Role } from "@/lib/authz";
import { db } from "@/lib/db";
import { statutoryDueDate } from "@/lib/requests/due-date";
import { formatReference } from "@/lib/requests/reference";

// Factories for tests (unit and e2e): random unique keys so tests can run in parallel.

export async function seedStaff(role: Role, name?: string) {
  const tag = crypto.randomBytes(4).toString("hex");
  const staff = await db().staff.create({
    data: { email: `${role}-${tag}@custodian.test`, displayName: name ?? `${role} ${tag}`, role, passwordHash: "x" },
  });
  const actor: Actor = { id: staff.id, label: staff.email, role };
  return { ...staff, role, actor };
}

let seq = 9000;

/** A request row written directly (no access-log entry), for query tests. */
export async function seedRequest(o: {
  createdById: string;
  receivedAt: Date;
  type?: string;
  state?: string;
  assigneeId?: string | null;
  extendedDueAt?: Date | null;
  closedAt?: Date | null;
  requesterName?: string;
  requesterContact?: string;
  reference?: string;
}) {
  return db().request.create({
    data: {
      reference: o.reference ?? formatReference(1999, ++seq + Math.floor(Math.random() * 1e6)),
      type: o.type ?? "access",
      state: o.state ?? "received",
      requesterName: o.requesterName ?? "Alice Smith",
      requesterContact: o.requesterContact ?? "alice@example.org",
      identification: "bound_address_reply",
      channel: "email",
      summary: "Wants a copy of everything about alice@example.org",
      receivedAt: o.receivedAt,
      dueAt: statutoryDueDate(o.receivedAt),
      extendedDueAt: o.extendedDueAt ?? null,
      closedAt: o.closedAt ?? null,
      outcome: o.closedAt ? "Answered by e-mail to Alice" : null,
      assigneeId: o.assigneeId ?? null,
      createdById: o.createdById,
    },
  });
}
