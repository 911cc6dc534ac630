import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { activeFileFilters, retentionFileSearchSchema, retentionFilesCsv, retentionFilesCsvFilename } from "@/lib/retention/files-table";
import { latestRetentionView } from "@/lib/retention/queries";
import { searchParamsObject } from "@/lib/validation";

export const dynamic = "force-dynamic";

// GET /api/retention/files/<source>?verdict=&class=&gzip=&rotated=&q=&sort=&dir= - every file of
// one log source matching the retention page's filters (all pages, not only the one on screen),
// in the page's order, as CSV (file names, dates and counts from the newest signed attestation;
// no log line). Cells are formula-neutralised by lib/csv.ts. The export is access-logged, with its
// filters and row count, before anything is sent; if that entry cannot be written, nothing is.
export async function GET(request: Request, { params }: { params: Promise<{ source: string }> }): Promise<Response> {
  const op = await requireApiOperator("retention.view");
  if (op instanceof Response) return op;
  const key = decodeURIComponent((await params).source).slice(0, 100);
  const search = retentionFileSearchSchema.parse(searchParamsObject(new URL(request.url).searchParams));
  const view = await latestRetentionView();
  const source = view.sources.find((s) => s.source === key);
  if (!source) return Response.json({ error: { code: "not_found", message: "No audited log source by that name." } }, { status: 404 });
  const { csv, rows } = retentionFilesCsv(source, search);
  await recordAccess({
    actor: actorOf(op), action: "retention.files.export", outcome: "ok",
    details: { format: "csv", source: key, attestationId: source.attestationId, filters: activeFileFilters(search), sort: `${search.sort} ${search.dir}`, rows },
  });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${retentionFilesCsvFilename(key, source.at)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
