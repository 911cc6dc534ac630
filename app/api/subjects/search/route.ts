import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { runSubjectSearch } from "@/lib/subjects/reveal";

export const dynamic = "force-dynamic";

// POST /api/subjects/search - the subjects page's search with progress: NDJSON lines
// {"type":"progress",...} while the identity databases and log files are searched, then one
// {"type":"result","state":{...}} with the MASKED view model. The identifier comes in the form
// body, never the URL (a reverse proxy logs URLs), and is never written to the server's logs.
export async function POST(req: Request): Promise<Response> {
  const op = await requireApiOperator("subjects.search");
  if (op instanceof Response) return op;
  // Same-origin only: the session cookie must not make this a cross-site endpoint.
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (origin && new URL(origin).host !== host) {
    return Response.json({ error: { code: "forbidden", message: "Cross-site request refused." } }, { status: 403 });
  }
  let form: Record<string, string>;
  try {
    const fd = await req.formData();
    form = Object.fromEntries([...fd.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
  } catch {
    return Response.json({ error: { code: "bad_request", message: "Send the search as a form." } }, { status: 400 });
  }
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (o: unknown) => controller.enqueue(enc.encode(`${JSON.stringify(o)}\n`));
      let last = 0;
      try {
        const state = await runSubjectSearch({ actor: actorOf(op), role: op.role }, form, {
          onProgress: (p) => {
            // At most ~10 updates a second, so a long log scan does not flood the browser.
            const now = Date.now();
            if (p.phase === "logs" && now - last < 100) return;
            last = now;
            send({ type: "progress", ...p });
          },
        });
        send({ type: "result", state });
      } catch (err) {
        // The error's name only: its message could carry the identifier.
        console.error("subject search failed:", err instanceof Error ? err.name : "unknown");
        send({ type: "result", state: { ok: false, message: "The search failed. Try again; if it keeps failing, tell an administrator." } });
      }
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
}
