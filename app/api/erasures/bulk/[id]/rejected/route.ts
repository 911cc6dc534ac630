import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { mayDownloadRejected, rejectedCsvFor } from "@/lib/erasure/bulk-queries";

export const dynamic = "force-dynamic";

// GET /api/erasures/bulk/[id]/rejected - the batch's rejected rows as uploaded, plus an "error"
// column (formulas neutralised, lib/csv.ts), to fix and upload again. Logged before sending.
// Only for the batch's uploader or a role with erasure.approve (it holds identifiers as typed).
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const op = await requireApiOperator("erasure.request");
  if (op instanceof Response) return op;
  const { id } = await params;
  const may = await mayDownloadRejected(id.slice(0, 100), op);
  if (may === "denied") {
    await recordAccess({ actor: actorOf(op), action: "erasure.bulk.rejected.download", target: { type: "batch", ref: id.slice(0, 100) }, outcome: "denied", details: { reason: "not the uploader" } });
    return new Response("Only the person who uploaded this batch, or a data protection officer, can download its rejected rows.", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const found = may === "ok" ? await rejectedCsvFor(id.slice(0, 100)) : null;
  await recordAccess({
    actor: actorOf(op), action: "erasure.bulk.rejected.download", target: { type: "batch", ref: id.slice(0, 100) },
    outcome: found ? "ok" : "not_found", details: { rows: found?.rows ?? 0 },
  });
  if (!found) return new Response("No such batch.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response("\uFEFF" + found.csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${found.fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
