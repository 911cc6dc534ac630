import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { trailCsvFilename } from "@/lib/audit/workspace/csv";
import { exportTrail } from "@/lib/audit/workspace/views";

export const dynamic = "force-dynamic";

// GET /api/audit/requests/<id>/trail - a request's whole trail (every page, every field, why each
// entry is in it) as CSV, streamed a page at a time up to the log's head when the export starts
// (so the export's own entry is not in it). Logged (audit.trail.export, with the row count) before
// the first byte; an unknown id is logged as not_found, like the trail page.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const op = await requireApiOperator("accessLog.export");
  if (op instanceof Response) return op;
  const { id } = await params;
  const found = await exportTrail(actorOf(op), id);
  if (!found) return Response.json({ error: { code: "not_found", message: "No request with this id." } }, { status: 404 });
  return new Response(found.stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${trailCsvFilename(found.scope.request.reference)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
