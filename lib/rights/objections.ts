import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { identifierInText, identifierInTextMessage } from "@/lib/free-text";
import { PROCESSING_ACTIVITIES } from "@/lib/rights/catalogue";

export { PROCESSING_ACTIVITIES };

// Objections (Art. 21): recorded against the processing activity they concern, then decided
// (upheld or rejected) with a reason. The activities are those the privacy notice describes.


type R = { ok: true; id?: string } | { ok: false; message: string };

export async function recordObjection(actor: Actor, requestId: string, processing: string): Promise<R> {
  if (!(processing in PROCESSING_ACTIVITIES)) return { ok: false, message: "Choose the processing the person objects to." };
  const request = await db().request.findFirst({ where: { id: requestId, closedAt: null }, select: { id: true } });
  if (!request) return { ok: false, message: "Objections are recorded on an open request." };
  const row = await withAccessLog(
    (o: { id: string }) => ({ actor, action: "objection.record", target: { type: "request", ref: requestId }, requestId, outcome: "ok", details: { objectionId: o.id, processing } }),
    (tx) => tx.objection.create({ data: { requestId, processing, createdById: actor.id ?? actor.label }, select: { id: true } }),
  );
  return { ok: true, id: row.id };
}

export async function decideObjection(actor: Actor, id: string, decision: string, reason: string, now = new Date()): Promise<R> {
  if (decision !== "upheld" && decision !== "rejected") return { ok: false, message: "Choose upheld or rejected." };
  const text = reason.trim();
  if (text.length < 10) return { ok: false, message: "Give the reason for the decision in at least 10 characters." };
  const kind = identifierInText(text);
  if (kind) return { ok: false, message: identifierInTextMessage(kind, "reason (it goes into the access log)") };
  const o = await db().objection.findUnique({ where: { id } });
  if (!o) return { ok: false, message: "No such objection." };
  if (o.decision !== "pending") return { ok: false, message: `This objection was already ${o.decision}.` };
  await withAccessLog(
    { actor, action: "objection.decide", target: { type: "request", ref: o.requestId }, requestId: o.requestId, outcome: "ok", purpose: text, details: { objectionId: id, processing: o.processing, decision } },
    async (tx) => {
      const { count } = await tx.objection.updateMany({ where: { id, decision: "pending" }, data: { decision, reason: text, decidedById: actor.id ?? actor.label, decidedAt: now } });
      if (count !== 1) throw new Error("The objection changed meanwhile.");
    },
  );
  return { ok: true };
}

export async function listObjections(requestId: string) {
  return db().objection.findMany({ where: { requestId }, orderBy: { createdAt: "asc" } });
}
