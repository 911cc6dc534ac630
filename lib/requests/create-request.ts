import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { formatIdentification } from "@/lib/requests/catalogue";
import { statutoryDueDate } from "@/lib/requests/due-date";
import { nextReference, retryOnUniqueClash } from "@/lib/requests/reference";
import type { CreateRequestInput } from "@/lib/requests/schemas";

export type CreatedRequest = { id: string; reference: string };

/**
 * Registers a request and its "request.create" access-log entry in one transaction: if the log
 * write fails, no request remains. The reference is allocated inside the transaction and the
 * whole transaction is retried on a reference clash.
 */
export async function createRequestRecord(actor: Actor, input: CreateRequestInput, now = new Date()): Promise<CreatedRequest> {
  if (!actor.id) throw new Error("A request must be created by a staff member.");
  const createdById = actor.id;
  return retryOnUniqueClash(() =>
    withAccessLog<CreatedRequest>(
      (created) => ({
        actor,
        action: "request.create",
        target: { type: "request", ref: created.id },
        requestId: created.id,
        outcome: "ok",
        details: { reference: created.reference, type: input.type, channel: input.channel },
      }),
      async (tx) => {
        const reference = await nextReference(tx, now.getUTCFullYear());
        return tx.request.create({
          data: {
            reference,
            type: input.type,
            state: "received",
            requesterName: input.requesterName,
            requesterContact: input.requesterContact,
            identification: formatIdentification(input.identificationMethod, input.identificationNote),
            channel: input.channel,
            summary: input.summary,
            receivedAt: input.receivedAt,
            dueAt: statutoryDueDate(input.receivedAt),
            createdById,
          },
          select: { id: true, reference: true },
        });
      },
    ),
  );
}
