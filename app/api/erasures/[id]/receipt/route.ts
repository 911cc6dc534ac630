import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { buildReceipt } from "@/lib/erasure/receipt";

export const dynamic = "force-dynamic";

// GET /api/erasures/[id]/receipt - the erasure's receipt as JSON (per server and per store: what
// was done, row counts, verification, who approved and executed, the times; the masked identifier
// only). The download is access-logged with the request's id before the first byte is sent.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const op = await requireApiOperator("erasure.receipt");
  if (op instanceof Response) return op;
  const { id } = await params;
  const job = await db().erasureJob.findUnique({ where: { id: id.slice(0, 100) }, select: { id: true, requestId: true, state: true } });
  if (!job) return Response.json({ error: { code: "not_found", message: "No such erasure." } }, { status: 404 });
  const receipt = await buildReceipt(job.id);
  await recordAccess({
    actor: actorOf(op), action: "erasure.receipt.download", target: { type: "request", ref: job.requestId }, requestId: job.requestId,
    outcome: "ok", details: { jobId: job.id, state: job.state },
  });
  return new Response(JSON.stringify(receipt, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="erasure-receipt-${job.id}.json"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
