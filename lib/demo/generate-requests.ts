import { db } from "@/lib/db";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { encryptSecret } from "@/lib/keys";
import { createRequestRecord } from "@/lib/requests/create-request";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import type { DemoSignIn } from "@/lib/demo/generate-staff";

// A few requests in the register so every page of the demo has something to show: an access
// request with its subject linked (ready for a package), an erasure request, an overdue complaint.
// Created through the register's own code, so each lands in the access log like any other.
// Skipped when the register already holds requests (re-running the demo adds nothing).

type DemoPerson = { displayName: string; mxid: string | null; threepids: { medium: string; address: string }[] };

const DAY = 86_400_000;

/** The demo's requests: who each is for (the first three people with an e-mail address). */
export function demoRequestPlan<P extends DemoPerson>(people: P[]) {
  const withEmail = people.filter((p) => p.threepids.some((t) => t.medium === "email"));
  return [
    { type: "access", person: withEmail[0], daysAgo: 6, summary: "Asks for a copy of everything held about them." },
    { type: "erasure", person: withEmail[1], daysAgo: 12, summary: "Account deactivated; asks for the e-mail binding to be removed." },
    { type: "complaint", person: withEmail[2], daysAgo: 40, summary: "Complains about receiving room invitations from strangers." },
  ] as const;
}

export async function seedDemoRequests(people: DemoPerson[], signIns: DemoSignIn[], ref: Date): Promise<number> {
  if ((await db().request.count()) > 0) return 0;
  const support = await db().staff.findUniqueOrThrow({ where: { email: signIns.find((s) => s.role === "support")!.email } });
  const actor = { id: support.id, label: support.email, role: support.role, ip: null, userAgent: "custodian-demo" };
  const plan = demoRequestPlan(people);
  for (const p of plan) {
    if (!p.person) continue;
    const email = p.person.threepids.find((t) => t.medium === "email")!.address;
    const receivedAt = new Date(Math.floor((ref.getTime() - p.daysAgo * DAY) / DAY) * DAY);
    const created = await createRequestRecord(actor, {
      type: p.type,
      requesterName: p.person.displayName,
      requesterContact: email,
      channel: "email",
      identificationMethod: "bound_address_reply",
      identificationNote: "",
      receivedAt,
      summary: p.summary,
    });
    await db().requestSubject.create({
      data: {
        requestId: created.id,
        type: "email",
        valueEnc: encryptSecret(email, "subject-identifier-v1"),
        pseudonym: pseudonymFor("email", email),
        masked: maskIdentifier("email", email),
        addedById: support.id,
      },
    });
  }
  return plan.length;
}
