import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { accessLogCsvFilename, accessLogCsvStream } from "@/lib/audit/export";
import { countAccessLogEntries, getAccessLogHeadSeq } from "@/lib/audit/queries";
import { accessLogFilterSchema, activeFilters } from "@/lib/audit/schemas";
import { searchParamsObject } from "@/lib/validation";

export const dynamic = "force-dynamic";

// GET /api/access-log/export - every entry matching the access-log page's filters (all pages,
// not just the one on screen) as a streamed CSV download. The export is logged before the first
// byte is sent, with its filters and row count; if that entry cannot be written, nothing is sent.
export async function GET(request: Request): Promise<Response> {
  const op = await requireApiOperator("accessLog.export");
  if (op instanceof Response) return op;
  const filter = accessLogFilterSchema.parse(searchParamsObject(new URL(request.url).searchParams));
  const maxSeq = await getAccessLogHeadSeq();
  const rows = await countAccessLogEntries({ filter, maxSeq });
  await recordAccess({
    actor: actorOf(op),
    action: "accessLog.export",
    outcome: "ok",
    details: { format: "csv", filters: activeFilters(filter), rows, upToSeq: maxSeq },
  });
  return new Response(accessLogCsvStream({ filter, maxSeq }), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${accessLogCsvFilename()}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
