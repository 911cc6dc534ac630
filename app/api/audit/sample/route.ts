import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { sampleCsvFilename } from "@/lib/audit/workspace/csv";
import { sampleParamsFromRequest } from "@/lib/audit/workspace/schemas";
import { exportSample } from "@/lib/audit/workspace/views";

export const dynamic = "force-dynamic";

// GET /api/audit/sample?seed=S&n=N&cutoff=T - the workspace's sample table as CSV (reference,
// type, state, dates: no personal data), formula-neutralised by lib/csv.ts. The cut-off is
// required: the file is the sample on screen, not a new draw. Logged (audit.sample.export, with
// the request ids) before anything is sent.
export async function GET(request: Request): Promise<Response> {
  const op = await requireApiOperator("accessLog.export");
  if (op instanceof Response) return op;
  const params = sampleParamsFromRequest(request);
  if (params instanceof Response) return params;
  const { seed, n, cutoff } = params;
  if (!cutoff) return Response.json({ error: { code: "bad-request", message: "cutoff is required: the CSV is of a sample already drawn (its cut-off is in the workspace's URL)." } }, { status: 400 });
  const { sample, csv } = await exportSample(actorOf(op), { seed, n, cutoff });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${sampleCsvFilename(sample)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
