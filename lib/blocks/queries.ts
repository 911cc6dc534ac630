import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/console/client";

// Reads of abuse blocks: one select for list and CLI, paginated like every other finder.

export const BLOCK_SORTS = ["createdAt", "expiresAt", "kind", "state"] as const;

export type FindBlocksOptions = {
  page: number;
  pageSize: number;
  sort: (typeof BLOCK_SORTS)[number];
  dir: "asc" | "desc";
  state?: string;
  kind?: string;
  q?: string;
};

const blockSelect = {
  id: true, kind: true, value: true, scope: true, reason: true, state: true, broad: true,
  createdById: true, approvedById: true, startsAt: true, expiresAt: true, endedAt: true, endReason: true, createdAt: true,
} satisfies Prisma.AbuseBlockSelect;

export async function findBlocks(o: FindBlocksOptions) {
  const where: Prisma.AbuseBlockWhereInput = {
    ...(o.state === "current" ? { state: { in: ["active", "pending"] } } : o.state ? { state: o.state } : {}),
    ...(o.kind ? { kind: o.kind } : {}),
    ...(o.q ? { value: { contains: o.q.toLowerCase() } } : {}),
  };
  const [data, count] = await Promise.all([
    db().abuseBlock.findMany({ where, select: blockSelect, orderBy: { [o.sort]: o.dir }, skip: (o.page - 1) * o.pageSize, take: o.pageSize }),
    db().abuseBlock.count({ where }),
  ]);
  return { data, count, page: o.page, pageSize: o.pageSize, totalPages: Math.max(1, Math.ceil(count / o.pageSize)) };
}

/** Staff display names for the ids on a page of blocks. */
export async function staffNames(ids: (string | null)[]): Promise<Map<string, string>> {
  const list = [...new Set(ids.filter((x): x is string => !!x))];
  const rows = await db().staff.findMany({ where: { id: { in: list } }, select: { id: true, displayName: true } });
  return new Map(rows.map((r) => [r.id, r.displayName]));
}
