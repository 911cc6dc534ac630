import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { recordAccess } from "@/lib/audit/log";
import { findAccessLogEntries, getLastCheckpoint } from "@/lib/audit/queries";
import { ACCESS_LOG_OUTCOMES, ACCESS_LOG_ROLES, accessLogFilterSchema, accessLogSearchSchema, activeFilters } from "@/lib/audit/schemas";
import { searchParamsObject } from "@/lib/validation";
import { FilterBar, type FilterDef } from "@/components/data-table/filter-bar";
import { entryNames, purposeDisplay } from "@/lib/audit/present";
import { AccessLogTable } from "./access-log-table";
import { IntegrityPanel } from "./integrity-panel";
import { TargetForm } from "./target-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Access log" };

const FILTERS: FilterDef[] = [
  { id: "action", label: "Action starts with", type: "text", placeholder: "e.g. request." },
  { id: "actor", label: "Actor contains", type: "text" },
  { id: "role", label: "Role", type: "select", options: ACCESS_LOG_ROLES.map((r) => ({ value: r, label: r })) },
  { id: "outcome", label: "Outcome", type: "select", options: ACCESS_LOG_OUTCOMES.map((o) => ({ value: o, label: o })) },
  { id: "requestId", label: "Request id", type: "text" },
  { id: "from", label: "From (UTC)", type: "date" },
  { id: "to", label: "To (UTC, inclusive)", type: "date" },
  { id: "target", label: "Target pseudonym", type: "text", hint: "64 hex characters, or the first 8 or more." },
];

// GET /access-log - the auditor's view of the pseudonymous access log. Viewing is itself an
// access and is logged ("accessLog.view") with the filters used and the number of matches.
export default async function AccessLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const op = await requireOperator("accessLog.view");
  const search = accessLogSearchSchema.parse(searchParamsObject(await searchParams));
  const filter = accessLogFilterSchema.parse(search);
  const [result, lastCheckpoint] = await Promise.all([
    findAccessLogEntries({ filter, page: search.page, pageSize: search.pageSize, sort: search.sort, dir: search.dir }),
    getLastCheckpoint(),
  ]);
  await recordAccess({
    actor: actorOf(op),
    action: "accessLog.view",
    outcome: "ok",
    details: { filters: activeFilters(filter), page: search.page, pageSize: search.pageSize, sort: `${search.sort} ${search.dir}`, count: result.count },
  });
  const exportQuery = new URLSearchParams({ ...activeFilters(filter) }).toString();
  const names = await entryNames(result.data);
  const rows = result.data.map((r) => {
    const purpose = purposeDisplay(r.purpose);
    return {
      ...r, at: r.at.toISOString(),
      actorName: r.actorId ? names.staff[r.actorId] ?? null : null,
      requestRef: r.requestId ? names.requests[r.requestId] ?? null : null,
      targetName: r.targetRef ? (r.targetType === "request" ? names.requests[r.targetRef] : r.targetType === "staff" ? names.staff[r.targetRef] : null) ?? null : null,
      purposeLabel: purpose.label, purposeNote: purpose.note,
    };
  });

  return (
    <>
      <h1>Access log</h1>
      <p className="muted">
        Every view of personal data and every action in the console, hash-chained and sealed by signed checkpoints. Targets are
        pseudonyms: the log holds no e-mail addresses, phone numbers or Matrix IDs. Your viewing is recorded too.
      </p>
      <IntegrityPanel
        canVerify={can(op.role, "accessLog.verify")}
        canSeal={can(op.role, "accessLog.seal")}
        lastCheckpoint={lastCheckpoint && { ...lastCheckpoint, sealedAt: lastCheckpoint.sealedAt.toISOString() }}
      />
      <TargetForm currentTarget={filter.target} />
      <FilterBar filters={FILTERS} label="Filter the access log" />
      {can(op.role, "accessLog.export") && (
        <p>
          <a className="btn" href={`/api/access-log/export${exportQuery ? `?${exportQuery}` : ""}`} download>
            Export all {result.count.toLocaleString("en-GB")} matching entries as CSV
          </a>
        </p>
      )}
      <AccessLogTable
        rows={rows}
        count={result.count}
        page={result.page}
        pageSize={result.pageSize}
        sort={{ id: search.sort, desc: search.dir === "desc" }}
      />
    </>
  );
}
