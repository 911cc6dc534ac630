import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { rejectedCsvFor } from "@/lib/erasure/bulk-queries";

export const dynamic = "force-dynamic";

// GET /api/erasures/bulk/[id]/rejected - the batch's rejected rows as uploaded, plus an "error"
// column (formulas neutralised, lib/csv.ts), to fix and upload again. Logged before sending.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const op = await requireApiOperator("erasure.request");
  if (op instanceof Response) return op;
  const { id } = await params;
  const found = await rejectedCsvFor(id.slice(0, 100));
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
