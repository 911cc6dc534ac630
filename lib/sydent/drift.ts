import {
  EXPECTED_INDEXES,
  EXPECTED_TABLES,
  EXPECTED_USER_VERSION,
  type ExpectedColumn,
  type ExpectedIndex,
} from "@/lib/sydent/expected-schema";

// Compares what a Sydent file really holds with Sydent 2.7.0's final schema.

export type ActualSchema = {
  userVersion: number;
  tables: Record<string, ExpectedColumn[]>;
  indexes: ExpectedIndex[];
};

export type DriftKind =
  | "user_version"
  | "missing_table"
  | "extra_table"
  | "missing_column"
  | "extra_column"
  | "column_changed"
  | "missing_index"
  | "extra_index"
  | "index_changed";

export type DriftItem = { kind: DriftKind; table?: string; name?: string; expected?: string; actual?: string; message: string };
export type KnownDrift = { id: "pr213"; title: string; explanation: string };

const colText = (c: ExpectedColumn) => `${c.type}${c.notNull ? " NOT NULL" : ""}${c.pk ? " PRIMARY KEY" : ""}`;
const idxText = (i: ExpectedIndex) => `${i.unique ? "UNIQUE " : ""}${i.table}(${i.columns.join(", ")})`;

function columnDrift(table: string, expected: ExpectedColumn[], actual: ExpectedColumn[]): DriftItem[] {
  const items: DriftItem[] = [];
  const byName = new Map(actual.map((c) => [c.name, c]));
  for (const e of expected) {
    const a = byName.get(e.name);
    if (!a) items.push({ kind: "missing_column", table, name: e.name, expected: colText(e), message: `Column ${table}.${e.name} is missing.` });
    else if (colText(a) !== colText(e)) {
      items.push({ kind: "column_changed", table, name: e.name, expected: colText(e), actual: colText(a), message: `Column ${table}.${e.name} is ${colText(a)}, expected ${colText(e)}.` });
    }
  }
  const known = new Set(expected.map((c) => c.name));
  for (const a of actual.filter((c) => !known.has(c.name))) {
    items.push({ kind: "extra_column", table, name: a.name, actual: colText(a), message: `Unexpected column ${table}.${a.name} (${colText(a)}).` });
  }
  return items;
}

function tableDrift(actual: ActualSchema): DriftItem[] {
  const items: DriftItem[] = [];
  for (const [table, cols] of Object.entries(EXPECTED_TABLES)) {
    if (!actual.tables[table]) items.push({ kind: "missing_table", table, message: `Table ${table} is missing.` });
    else items.push(...columnDrift(table, cols, actual.tables[table]));
  }
  for (const table of Object.keys(actual.tables).filter((t) => !EXPECTED_TABLES[t])) {
    items.push({ kind: "extra_table", table, message: `Unexpected table ${table}.` });
  }
  return items;
}

function indexDrift(actual: ActualSchema): DriftItem[] {
  const items: DriftItem[] = [];
  const byName = new Map(actual.indexes.map((i) => [i.name, i]));
  for (const e of EXPECTED_INDEXES) {
    const a = byName.get(e.name);
    if (!a) items.push({ kind: "missing_index", table: e.table, name: e.name, expected: idxText(e), message: `Index ${e.name} on ${idxText(e)} is missing.` });
    else if (idxText(a) !== idxText(e)) {
      items.push({ kind: "index_changed", table: a.table, name: e.name, expected: idxText(e), actual: idxText(a), message: `Index ${e.name} is on ${idxText(a)}, expected ${idxText(e)}.` });
    }
  }
  const known = new Set(EXPECTED_INDEXES.map((i) => i.name));
  for (const a of actual.indexes.filter((i) => !known.has(i.name))) {
    items.push({ kind: "extra_index", table: a.table, name: a.name, actual: idxText(a), message: `Unexpected index ${a.name} on ${idxText(a)}.` });
  }
  return items;
}

export function compareSchema(actual: ActualSchema): DriftItem[] {
  const items: DriftItem[] = [];
  if (actual.userVersion !== EXPECTED_USER_VERSION) {
    items.push({ kind: "user_version", expected: String(EXPECTED_USER_VERSION), actual: String(actual.userVersion), message: `PRAGMA user_version is ${actual.userVersion}, expected ${EXPECTED_USER_VERSION}.` });
  }
  return [...items, ...tableDrift(actual), ...indexDrift(actual)];
}

/** Recognises drift with a known history, to explain it in plain words. */
export function knownDrift(actual: ActualSchema, drift: DriftItem[]): KnownDrift[] {
  const missingLookupIdx = drift.some((d) => d.kind === "missing_index" && d.name === "global_threepid_lookup_hash");
  const oldIdx = actual.indexes.some((i) => i.name === "lookup_hash_medium" && i.table === "local_threepid_associations");
  if (actual.userVersion === 5 && missingLookupIdx && oldIdx) {
    return [{
      id: "pr213",
      title: "Sydent PR #213 schema (reverted upstream)",
      explanation:
        "This database ran the short-lived v5 migration of matrix-org/sydent PR #213 (2019-09, reverted in #218): user_version says 5, " +
        "but the index global_threepid_lookup_hash was never created and lookup_hash_medium remains on local_threepid_associations. " +
        "v2 hashed lookups scan the whole global table. Sydent will not repair this itself (it only migrates when user_version < 5).",
    }];
  }
  return [];
}
