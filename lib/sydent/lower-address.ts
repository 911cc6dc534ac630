import type Database from "better-sqlite3";

// Sydent's (medium, lower(address)) index on global_threepid_associations. For a query that only
// needs columns of the (medium, address) index, SQLite prefers that COVERING index and then scans
// every row of the medium (0.1-0.7 s at a million rows; inside a write transaction Sydent's own
// writes wait on it). Naming the expression index keeps it a seek. Files that lack the index
// (schema drift) get the plain query.

const hasIndex = new WeakMap<Database.Database, boolean>();

/** " INDEXED BY global_threepid_medium_lower_address" when the file has it, else "". */
export function byLowerAddress(db: Database.Database): string {
  let has = hasIndex.get(db);
  if (has === undefined) {
    has = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'global_threepid_medium_lower_address'").get();
    hasIndex.set(db, has);
  }
  return has ? " INDEXED BY global_threepid_medium_lower_address" : "";
}
