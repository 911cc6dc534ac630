"use client";

/**
 * DataTable: the console's one server-paginated table (TanStack Table v8, manual mode).
 *
 *   <DataTable columns={columns} data={rows} rowCount={count} page={page} pageSize={pageSize}
 *              sort={{ id: "at", desc: true }} caption="Access log entries" />
 *
 * - The page (a server component) parses its search params, queries one page, and renders a
 *   small 'use client' file that defines `columns: ColumnDef<Row>[]` and renders <DataTable>.
 * - URL contract (shared with components/data-table/filter-bar.tsx and the page's zod schema):
 *   `page` (1-based), `pageSize` (10|25|50|100), `sort` (a column id), `dir` (asc|desc). Sorting
 *   or resizing resets `page`; every other search param (the filters) is kept.
 * - A column is sortable unless it sets `enableSorting: false`; its `id` (or `accessorKey`) is
 *   what goes into `sort`, so only give sortable columns ids the server's schema accepts.
 * - Header labels: `header: "Time (UTC)"`. Optional `meta: { className: "num" }` is put on th/td.
 */
import { useMemo } from "react";
import {
  flexRender,
  functionalUpdate,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type PaginationState,
  type SortingState,
} from "@tanstack/react-table";
import { useUrlState } from "./use-url-state";

export type DataTableProps<T> = {
  // ColumnDef<T, any> is TanStack's own idiom for a list of columns with different value types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  data: T[];
  rowCount: number;
  /** 1-based. */
  page: number;
  pageSize: number;
  sort?: { id: string; desc: boolean };
  /** Accessible name of the table. */
  caption: string;
  getRowId?: (row: T, index: number) => string;
  emptyMessage?: string;
};

type ColumnMeta = { className?: string };

// The page sizes lib/validation.ts's paginationSchema accepts (kept here so no zod in the bundle).
const PAGE_SIZES = [10, 25, 50, 100];

export function DataTable<T>({ columns, data, rowCount, page, pageSize, sort, caption, getRowId, emptyMessage }: DataTableProps<T>) {
  const { update, isPending } = useUrlState();
  const sorting: SortingState = useMemo(() => (sort ? [{ id: sort.id, desc: sort.desc }] : []), [sort]);
  const pagination: PaginationState = { pageIndex: page - 1, pageSize };

  const table = useReactTable({
    columns,
    data,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    rowCount,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: { sorting, pagination },
    onSortingChange: (updater) => {
      const next = functionalUpdate(updater, sorting)[0];
      update({ sort: next?.id ?? null, dir: next ? (next.desc ? "desc" : "asc") : null, page: null });
    },
    onPaginationChange: (updater) => {
      const next = functionalUpdate(updater, pagination);
      update({ page: next.pageIndex > 0 ? String(next.pageIndex + 1) : null });
    },
  });

  const pageCount = Math.max(1, table.getPageCount());
  // aria-disabled rather than disabled, here and on the sort buttons: a control that becomes
  // disabled while it has focus drops keyboard focus to <body> (WCAG 2.4.3), so a keyboard user
  // would have to Tab through the whole sidebar again after every sort or page change.
  const canPrevious = table.getCanPreviousPage() && !isPending;
  const canNext = table.getCanNextPage() && !isPending;
  const first = rowCount === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(rowCount, page * pageSize);

  return (
    <div className="data-table">
      <p className="muted" aria-live="polite" role="status">
        {isPending ? "Loading…" : rowCount === 0 ? "No results." : `Showing ${first}–${last} of ${rowCount.toLocaleString("en-GB")}.`}
      </p>
      <div className="table-scroll"><table className="data" aria-busy={isPending} style={isPending ? { opacity: 0.6 } : undefined}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((header) => {
                const col = header.column;
                const sorted = col.getIsSorted();
                const meta = col.columnDef.meta as ColumnMeta | undefined;
                const label = header.isPlaceholder ? null : flexRender(col.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    scope="col"
                    className={meta?.className}
                    aria-sort={col.getCanSort() ? (sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none") : undefined}
                  >
                    {col.getCanSort() ? (
                      <button
                        type="button"
                        aria-disabled={isPending || undefined}
                        onClick={(e) => !isPending && col.getToggleSortingHandler()?.(e)}
                      >
                        {label}
                        <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : " ↕"}</span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="muted">{emptyMessage ?? "Nothing matches these filters."}</td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={(cell.column.columnDef.meta as ColumnMeta | undefined)?.className}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table></div>
      <nav className="pager" aria-label={`${caption}: pages`}>
        <button type="button" className="btn" onClick={() => canPrevious && table.previousPage()} aria-disabled={!canPrevious}>
          Previous
        </button>
        <span>
          Page {Math.min(page, pageCount)} of {pageCount}
        </span>
        <button type="button" className="btn" onClick={() => canNext && table.nextPage()} aria-disabled={!canNext}>
          Next
        </button>
        <label>
          Rows per page{" "}
          <select value={pageSize} onChange={(e) => !isPending && update({ pageSize: e.target.value, page: null })} aria-disabled={isPending || undefined}>
            {(PAGE_SIZES.includes(pageSize) ? PAGE_SIZES : [...PAGE_SIZES, pageSize].sort((a, b) => a - b)).map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>
        </label>
      </nav>
    </div>
  );
}
