import { recordAccess } from "@/lib/audit/log";
import { can, type Role } from "@/lib/authz";
import { defineCommand, printJson } from "@/lib/cli/command";
import { INVALID, parseForm } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { requestJson } from "@/lib/cli/request-view";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { findRequests } from "@/lib/requests/queries";
import { requestSearchSchema } from "@/lib/requests/schemas";
import { z } from "zod";

// The request register (the /requests page): same filters, paging and masking; the listing is
// logged as request.list like the page's.

const strict = z.object({
  page: z.coerce.number().int().min(1, "--page starts at 1.").optional(),
  pageSize: z.coerce.number().int().min(1).max(100, "--page-size is at most 100.").optional(),
});

export default defineCommand({
  name: "request:list",
  summary: "List the request register with the page's filters (needs requests.view; masked without requests.viewPersonal).",
  options: {
    ...operatorOption,
    type: { type: "string", description: "Only this kind of request." },
    state: { type: "string", description: "Only this state, or \"open\"." },
    assignee: { type: "string", description: "\"me\", \"unassigned\" or a staff id." },
    overdue: { type: "boolean", description: "Only overdue requests." },
    q: { type: "string", description: "Reference contains." },
    sort: { type: "string", description: "reference, type, state, receivedAt or due (default due)." },
    dir: { type: "string", description: "asc or desc." },
    page: { type: "string", description: "Page number (default 1)." },
    "page-size": { type: "string", description: "Rows per page (default 25, at most 100)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.view");
    const raw: Record<string, string> = {};
    for (const k of ["type", "state", "assignee", "q", "sort", "dir", "page"] as const) if (typeof values[k] === "string") raw[k] = values[k] as string;
    if (typeof values["page-size"] === "string") raw.pageSize = values["page-size"];
    if (values.overdue) raw.overdue = "1";
    // The page falls back to defaults on a malformed URL; a script gets an error instead.
    if (!parseForm(strict, raw)) return INVALID;
    const search = requestSearchSchema.parse(raw);
    for (const k of ["type", "state", "assignee", "sort", "dir"] as const) {
      if (raw[k] !== undefined && search[k] !== raw[k]) return (printJson({ ok: false, code: "invalid", message: `--${k} "${raw[k]}" is not one of the register's values.` }), INVALID);
    }
    const viewer = { id: actor.id!, role: actor.role as Role };
    const result = await findRequests({ ...search, viewer });
    const masked = !can(viewer.role, "requests.viewPersonal");
    await recordAccess({ actor, action: "request.list", outcome: "ok", details: { masked, count: result.count, page: result.page, ids: result.data.map((r) => r.id) } });
    printJson({ ok: true, count: result.count, page: result.page, pageSize: result.pageSize, totalPages: result.totalPages, requests: result.data.map(requestJson) });
    return 0;
  },
});
