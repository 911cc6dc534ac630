import { FilterBar, type FilterDef } from "@/components/data-table/filter-bar";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { attestationSearchSchema, findAttestations } from "@/lib/retention/queries";
import { searchParamsObject } from "@/lib/validation";
import { AttestationsTable } from "./attestations-table";

export const dynamic = "force-dynamic";

// Signed retention attestations for auditors, every one of them, paged on the server: each
// downloads as a JSON file that `npm run cli -- retention:verify <file> --public-key <checkpoint
// .pub>` checks offline. Each view is access-logged with its page and filters.

const FILTERS: FilterDef[] = [
  { id: "kind", label: "Kind", type: "select", options: [{ value: "audit", label: "audit" }, { value: "enforcement", label: "enforcement" }] },
  { id: "overdue", label: "Overdue", type: "select", options: [{ value: "yes", label: "something overdue" }, { value: "no", label: "nothing overdue" }] },
];

export default async function AttestationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const op = await requireOperator("retention.attestations");
  const search = attestationSearchSchema.parse(searchParamsObject(await searchParams));
  const result = await findAttestations(search);
  await recordAccess({
    actor: actorOf(op), action: "retention.attestations.view", outcome: "ok",
    details: { shown: result.data.length, count: result.count, page: result.page, pageSize: result.pageSize, sort: search.sort, dir: search.dir, filters: { ...(search.kind ? { kind: search.kind } : {}), ...(search.overdue ? { overdue: search.overdue } : {}) } },
  });
  return (
    <>
      <h1>Retention attestations</h1>
      <p className="muted">Signed with the checkpoint key (Ed25519) and linked into the access log. Verify a download offline with <span className="mono">retention:verify</span> and the public key. {result.count.toLocaleString("en-GB")} attestation(s).</p>
      <FilterBar filters={FILTERS} label="Filter the attestations" />
      <AttestationsTable
        rows={result.data.map((a) => ({ id: a.id, createdAt: a.createdAt.toISOString(), kind: a.kind, operatorLabel: a.operatorLabel, overdue: a.overdue, findings: a.findings, accessLogSeq: a.accessLogSeq, payloadSha256: a.payloadSha256 }))}
        count={result.count} page={result.page} pageSize={result.pageSize} sort={{ id: search.sort, desc: search.dir === "desc" }}
      />
    </>
  );
}
