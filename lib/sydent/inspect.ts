import type Database from "better-sqlite3";
import { EXPECTED_TABLE_NAMES, type ExpectedColumn, type ExpectedIndex } from "@/lib/sydent/expected-schema";
import { compareSchema, knownDrift, type ActualSchema, type DriftItem, type KnownDrift } from "@/lib/sydent/drift";
import { checkFile, classifyError, type SydentError } from "@/lib/sydent/errors";
import { busyTimeoutMs, sydentRaw, type OpenOptions } from "@/lib/sydent/open";
import { timed, type Timing } from "@/lib/sydent/timing";

// What is really in a Sydent file: tables, columns, indexes, user_version, and how that differs
// from Sydent 2.7.0's schema. Four short autocommit statements; never throws.

export type InspectOk = {
  ok: true;
  file: string;
  userVersion: number;
  tables: { name: string; columns: ExpectedColumn[] }[];
  indexes: ExpectedIndex[];
  drift: DriftItem[];
  knownDrift: KnownDrift[];
  timings: Timing[];
};
export type InspectFailed = { ok: false; file: string; error: SydentError; timings: Timing[] };
export type InspectResult = InspectOk | InspectFailed;

type ColRow = { tbl: string; name: string; type: string; notnull: number; pk: number };
type IdxRow = { name: string; tbl: string; uniq: number; cid: number; col: string | null };

const COLUMNS_SQL = `SELECT m.name AS tbl, p.name AS name, p.type AS type, p."notnull" AS "notnull", p.pk AS pk
  FROM sqlite_master m JOIN pragma_table_info(m.name) p
  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid`;
const INDEXES_SQL = `SELECT m.name AS name, m.tbl_name AS tbl, il."unique" AS uniq, x.cid AS cid, x.name AS col
  FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) il ON il.name = m.name JOIN pragma_index_xinfo(m.name) x
  WHERE m.type = 'index' AND m.name NOT LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\' AND x.key = 1 ORDER BY m.name, x.seqno`;

export function readSchema(db: Database.Database, timings: Timing[]): ActualSchema {
  const userVersion = timed(timings, "pragma user_version", () => db.pragma("user_version", { simple: true }) as number);
  const cols = timed(timings, "table columns", () => db.prepare(COLUMNS_SQL).all() as ColRow[]);
  const idx = timed(timings, "indexes", () => db.prepare(INDEXES_SQL).all() as IdxRow[]);
  const tables: Record<string, ExpectedColumn[]> = {};
  for (const c of cols) {
    (tables[c.tbl] ??= []).push({ name: c.name, type: c.type.toUpperCase(), notNull: c.notnull === 1, pk: c.pk > 0 });
  }
  const indexes = new Map<string, ExpectedIndex>();
  for (const r of idx) {
    const i = indexes.get(r.name) ?? { name: r.name, table: r.tbl, columns: [], unique: r.uniq === 1 };
    i.columns.push(r.cid === -2 ? "<expr>" : (r.col ?? "<rowid>"));
    indexes.set(r.name, i);
  }
  return { userVersion, tables, indexes: [...indexes.values()] };
}

export function inspectSydentDb(file: string, opts?: OpenOptions): InspectResult {
  const timings: Timing[] = [];
  const fileError = checkFile(file);
  if (fileError) return { ok: false, file, error: fileError, timings };
  try {
    const schema = readSchema(sydentRaw(file, opts), timings);
    if (!EXPECTED_TABLE_NAMES.some((t) => schema.tables[t])) {
      const found = Object.keys(schema.tables);
      const what = found.length ? `its tables are ${found.slice(0, 5).join(", ")}${found.length > 5 ? ", ..." : ""}` : "it has no tables";
      return { ok: false, file, timings, error: { kind: "not_sydent", message: `${file} is a SQLite database but not Sydent's: ${what}.` } };
    }
    const drift = compareSchema(schema);
    const tables = Object.entries(schema.tables).map(([name, columns]) => ({ name, columns }));
    return { ok: true, file, userVersion: schema.userVersion, tables, indexes: schema.indexes, drift, knownDrift: knownDrift(schema, drift), timings };
  } catch (e) {
    return { ok: false, file, error: classifyError(e, file, busyTimeoutMs(opts)), timings };
  }
}
