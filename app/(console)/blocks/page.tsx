import { z } from "zod";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { BLOCK_SORTS, findBlocks, staffNames } from "@/lib/blocks/queries";
import { BLOCK_KINDS } from "@/lib/blocks/targets";
import { paginationSchema, searchParamsObject, sortSchema, textParam } from "@/lib/validation";
import { CreateBlockForm } from "./block-forms";
import { BlocksFilters, BlocksTable, type BlockRow } from "./blocks-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Abuse blocks" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const searchSchema = paginationSchema.extend(sortSchema(BLOCK_SORTS, "createdAt", "desc").shape).extend({
  state: z.enum(["all", "active", "pending", "lifted", "expired"]).optional().catch(undefined),
  kind: z.enum(BLOCK_KINDS).optional().catch(undefined),
  q: textParam(100),
});

const minute = (d: Date) => d.toISOString().slice(0, 16);

export default async function BlocksPage({ searchParams }: { searchParams: SearchParams }) {
  const op = await requireOperator("blocks.view");
  const s = searchSchema.parse(searchParamsObject(await searchParams));
  const state = s.state === "all" ? undefined : (s.state ?? "current");
  const result = await findBlocks({ ...s, state });
  const names = await staffNames(result.data.flatMap((b) => [b.createdById, b.approvedById]));
  // Block targets are IP addresses and identifiers: the list view is logged.
  await recordAccess({ actor: actorOf(op), action: "block.list", outcome: "ok", details: { count: result.count, page: result.page, ids: result.data.map((b) => b.id) } });
  const canManage = can(op.role, "blocks.manage");
  const now = Date.now();
  const rows: BlockRow[] = result.data.map((b) => ({
    id: b.id, kind: b.kind, value: b.value, scope: b.scope, state: b.state, reason: b.reason,
    createdBy: names.get(b.createdById) ?? b.createdById,
    approvedBy: b.approvedById ? (names.get(b.approvedById) ?? b.approvedById) : null,
    expiresAt: b.expiresAt.toISOString().slice(0, 16).replace("T", " "),
    createdAt: b.createdAt.toISOString().slice(0, 16).replace("T", " "),
    canManage, isOwn: b.createdById === op.id,
    renewDefault: minute(new Date(Math.min(now + 179 * 86_400_000, Math.max(b.expiresAt.getTime(), now) + 30 * 86_400_000))),
  }));
  return (
    <>
      <h1>Abuse blocks</h1>
      <p className="muted">
        Blocks are enforced by HAProxy in front of the identity servers and apply at once. Each ends by itself at its
        expiry (at most 180 days). Blocks wider than a /16 (IPv4) or /48 (IPv6), whole e-mail domains and homeservers
        need a second person&apos;s approval.
      </p>
      {canManage && <details><summary>Create a block</summary><CreateBlockForm defaultExpiry={minute(new Date(now + 7 * 86_400_000))} /></details>}
      <BlocksFilters />
      <BlocksTable rows={rows} count={result.count} page={result.page} pageSize={result.pageSize} sort={{ id: s.sort, desc: s.dir === "desc" }} />
    </>
  );
}
