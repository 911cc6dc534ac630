// @ts-check
// One chunk of audit:verify's (and audit:witness's) SQLite fast path: the entries with seq in
// [from, to], read on a read-only better-sqlite3 connection in a worker thread
// (lib/audit/verify-worker.mjs) or in-process. Plain JavaScript for the worker; types in
// verify-chunk.d.mts. The caller (lib/audit/verify-parallel.ts) stitches chunks together and
// replays the per-entry findings in seq order (lib/audit/verify.ts), so that the result is the
// one the sequential verification gives; when a chunk is not exactly the rows from..to, or holds
// a row this code does not handle, the caller runs the sequential verification instead.
//
// Each row comes back as one string, which is what makes reading cheap (every value handed to
// JavaScript costs about as much as SQLite's work on the row): a seal flag ("S" for an
// "accessLog.seal" entry with outcome "ok", else "-"), the stored hash (only when it is 64 ASCII
// characters; otherwise the row is NULL and the chunk is not handled), then the canonical text.
// seq is not read: seq is the INTEGER PRIMARY KEY (checked), so a range from..to that returns
// to-from+1 rows returns exactly seq from..to, in order. prevHash is the last element of the
// canonical text: when the previous entry's hash is 64 lowercase hex characters, the text ends
// with ,"<that hash>"] exactly when prevHash equals it (a JSON string cannot contain an unescaped
// quote, so no other split of the text matches); otherwise the element is parsed out of the text.
//
// The canonical serialisation is built by SQLite, not by JavaScript: json_array("seq", <at as
// ISO>, <the 14 text columns>) is byte for byte the JSON.stringify of lib/audit/chain.ts for the
// values it is given here (tested over every code point and the odd values in
// lib/audit/verify-chunk.test.ts), because:
//   - the 14 columns have TEXT affinity (checked by textColumnsOk before the fast path is used),
//     so each holds NULL, TEXT or BLOB; a BLOB makes json_array fail ("JSON cannot hold BLOB
//     values") and the caller falls back; TEXT is quoted as JSON.stringify quotes a string: " and
//     \ escaped, \b \t \n \f \r, other characters below U+0020 as \u00XX (lowercase hex), nothing
//     else escaped;
//   - seq is the INTEGER PRIMARY KEY (always an integer, printed in decimal);
//   - at: SQLite renders the two forms the console stores (the text Prisma's SQLite adapter
//     writes, "YYYY-MM-DDTHH:MM:SS.mmm+00:00", and an integer of unix milliseconds in years
//     0000–9999) as "YYYY-MM-DDTHH:MM:SS.mmmZ", and isoAt accepts the result only when it is a
//     real instant in that normal form, for which it equals JavaScript's toISOString(); any
//     other value (null there, another shape, 31 February) makes that entry "deferred": the
//     caller hashes it with the reference serialiser (lib/audit/chain.ts) from the row as the
//     sequential path reads it.

import Database from "better-sqlite3";
import { FrontierBin, leafHashBin, sha256Hex } from "./hash-core.mjs";

export const TEXT_COLUMNS = [
  "actorId", "actorLabel", "actorRole", "action", "targetType", "targetPseudonym", "targetRef", "requestId", "purpose",
  "outcome", "ip", "userAgent", "details", "prevHash",
];

// at as SQLite renders it; checked character by character in JavaScript (isoAt) before use.
export const AT_ISO_SQL = `CASE
  WHEN typeof("at") = 'text' AND length("at") = 29 AND substr("at", 24) = '+00:00' THEN substr("at", 1, 23) || 'Z'
  WHEN typeof("at") = 'integer' AND "at" BETWEEN 0 AND 253402300799999
    THEN strftime('%Y-%m-%dT%H:%M:%S', "at" / 1000, 'unixepoch') || '.' || substr(1000 + "at" % 1000, 2) || 'Z'
END`;

const D0 = 48;
/** @param {string} t @param {number} i */
const dig = (t, i) => t.charCodeAt(i) - D0;
/** @param {string} t @param {number} i @param {number} n */
function digitsAt(t, i, n) {
  for (let k = i; k < i + n; k++) {
    const c = t.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
/** @param {number} y @param {number} m */
const daysIn = (y, m) => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);

/**
 * Whether the canonical text holds, from index q, the quoted at `"YYYY-MM-DDTHH:MM:SS.mmmZ"` and
 * the comma after it, with a real date and time of day (month 1–12, day within the month of that
 * year in the proleptic Gregorian calendar, hour 0–23, minute and second 0–59). For such a string
 * S (years 0000–9999), new Date(S without "Z" + "+00:00").toISOString() is S, and so is
 * new Date(ms).toISOString() for the integer form: the text is what lib/audit/chain.ts writes.
 * Anything else (an escape, another shape, 24:00, 31 February) is left to the reference.
 * @param {string} t @param {number} q
 */
export function isoAt(t, q) {
  const p = q + 1;
  if (t.charCodeAt(q) !== 34 || t.charCodeAt(p + 24) !== 34 || t.charCodeAt(p + 25) !== 44) return false;
  if (t.charCodeAt(p + 4) !== 45 || t.charCodeAt(p + 7) !== 45 || t.charCodeAt(p + 10) !== 84 || t.charCodeAt(p + 13) !== 58 ||
      t.charCodeAt(p + 16) !== 58 || t.charCodeAt(p + 19) !== 46 || t.charCodeAt(p + 23) !== 90) return false;
  if (!digitsAt(t, p, 4) || !digitsAt(t, p + 5, 2) || !digitsAt(t, p + 8, 2) || !digitsAt(t, p + 11, 2) || !digitsAt(t, p + 14, 2) ||
      !digitsAt(t, p + 17, 2) || !digitsAt(t, p + 20, 3)) return false;
  const y = dig(t, p) * 1000 + dig(t, p + 1) * 100 + dig(t, p + 2) * 10 + dig(t, p + 3);
  const m = dig(t, p + 5) * 10 + dig(t, p + 6);
  const d = dig(t, p + 8) * 10 + dig(t, p + 9);
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return false;
  return dig(t, p + 11) * 10 + dig(t, p + 12) <= 23 && dig(t, p + 14) <= 5 && dig(t, p + 17) <= 5;
}

export const CANONICAL_SQL = `json_array("seq", ${AT_ISO_SQL}, ${TEXT_COLUMNS.map((c) => `"${c}"`).join(", ")})`;

const VERIFY_SQL = `SELECT CASE WHEN typeof("hash") = 'text' AND length(CAST("hash" AS BLOB)) = 64 AND length("hash") = 64
    THEN (CASE WHEN "action" = 'accessLog.seal' AND "outcome" = 'ok' THEN 'S' ELSE '-' END) || "hash" || ${CANONICAL_SQL} END
  FROM "AccessLogEntry" WHERE "seq" >= ? AND "seq" <= ? ORDER BY "seq"`;
const TREE_SQL = `SELECT "hash" FROM "AccessLogEntry" WHERE "seq" >= ? AND "seq" <= ? ORDER BY "seq"`;

/**
 * Whether seq is AccessLogEntry's INTEGER PRIMARY KEY (so the seqs are distinct integers) and,
 * for mode "verify", every serialised text column has TEXT affinity (so it holds NULL, TEXT or
 * BLOB, never a number json_array would print its own way).
 * @param {import("better-sqlite3").Database} db
 * @param {"verify" | "tree"} mode
 */
export function tableShapeOk(db, mode) {
  const cols = /** @type {{ name: string; type: string; pk: number }[]} */ (db.prepare(`PRAGMA table_info("AccessLogEntry")`).all());
  const by = new Map(cols.map((c) => [c.name, c]));
  const seq = by.get("seq");
  if (!seq || seq.pk !== 1 || seq.type.toUpperCase() !== "INTEGER" || cols.filter((c) => c.pk).length !== 1) return false;
  if (mode === "tree") return true;
  // SQLite's affinity rules: a declared type containing INT is INTEGER affinity; otherwise one
  // containing CHAR, CLOB or TEXT is TEXT affinity.
  return TEXT_COLUMNS.every((n) => {
    const t = by.get(n)?.type.toUpperCase();
    return t !== undefined && !t.includes("INT") && /CHAR|CLOB|TEXT/.test(t);
  });
}

const BATCH = 1024;

/**
 * A read-only connection for chunks. Memory-mapped reads (the first 2 GB, SQLite's default
 * ceiling) save a copy per page on a full scan.
 * @param {string} file
 */
export function openReadonly(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma("mmap_size = 2147418112");
  return db;
}

/** @param {number} n */
const digits = (n) => String(n).length;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Whether the canonical text ends with ,"<h>"] (h: 64 characters that JSON does not escape).
 * @param {string} t @param {string} h
 */
function endsWithQuoted(t, h) {
  const n = t.length;
  return t.charCodeAt(n - 1) === 93 && t.charCodeAt(n - 2) === 34 && t.charCodeAt(n - 67) === 34 && t.charCodeAt(n - 68) === 44 &&
    t.startsWith(h, n - 66);
}

/** prevHash, the last element of the canonical text. @param {string} t */
const lastElement = (t) => /** @type {unknown[]} */ (JSON.parse(t)).at(-1);

/**
 * @param {import("better-sqlite3").Database} db
 * @param {import("./verify-chunk.d.mts").ChunkJob} job
 * @returns {import("./verify-chunk.d.mts").ChunkResult}
 */
export function runChunk(db, job) {
  const { from, to, sizes, mode } = job;
  const verify = mode === "verify";
  /** @type {import("./verify-chunk.d.mts").ChunkResult} */
  const out = {
    from, to, count: 0, contiguous: true, unsupported: false, firstPrevHash: null, lastHash: null,
    mismatches: [], deferred: [], linkBreaks: [], seals: [], at: [], levels: [], hashes: [],
  };
  const stmt = db.prepare(verify ? VERIFY_SQL : TREE_SQL).pluck();
  const frontier = new FrontierBin();
  let seq = from;
  // Index of the character after "[<seq>," in the canonical text: the opening quote of at.
  let atQuote = digits(from) + 2;
  let nextPow = 10 ** digits(from);
  let si = 0;
  while (si < sizes.length && sizes[si] < from) si++;
  let nextSize = si < sizes.length ? sizes[si] : -1;
  /** @type {unknown} */ let lastHash = null;
  let lastClean = false;
  try {
    // Rows in batches by seq (all() is cheaper per row than an iterator; small batches stay in
    // the young generation).
    for (let a = from; a <= to; a += BATCH) {
      const b = Math.min(to, a + BATCH - 1);
      const rows = /** @type {unknown[]} */ (stmt.all(a, b));
      if (rows.length !== b - a + 1) {
        out.contiguous = false;
        return out;
      }
      for (let i = 0; i < rows.length; i++, seq++) {
        if (seq === nextPow) (atQuote++, (nextPow *= 10));
        /** @type {unknown} */ let hash;
        if (verify) {
          const row = rows[i];
          if (typeof row !== "string") {
            out.unsupported = true;
            return out;
          }
          hash = row.slice(1, 65);
          const text = row.slice(65);
          let matched = false;
          if (text.charCodeAt(atQuote - 1) !== 44 || !isoAt(text, atQuote)) out.deferred.push(seq);
          else if (sha256Hex(text) === hash) matched = true;
          else out.mismatches.push(seq);
          if (seq === from) out.firstPrevHash = /** @type {string} */ (lastElement(text));
          else if (lastClean ? !endsWithQuoted(text, /** @type {string} */ (lastHash)) : lastElement(text) !== lastHash) out.linkBreaks.push(seq);
          if (row.charCodeAt(0) === 83) out.seals.push(seq);
          lastClean = matched || HEX64.test(/** @type {string} */ (hash));
        } else hash = rows[i];
        frontier.push(leafHashBin(/** @type {string} */ (hash)));
        lastHash = hash;
        if (seq === nextSize) {
          out.at.push({ size: seq, hash: /** @type {string} */ (hash), levels: [...frontier.levels], hashes: [...frontier.hashes] });
          while (si < sizes.length && sizes[si] <= seq) si++;
          nextSize = si < sizes.length ? sizes[si] : -1;
        }
      }
    }
  } catch (e) {
    if (verify && /JSON cannot hold BLOB values/.test(String(/** @type {Error} */ (e)?.message))) {
      out.unsupported = true;
      return out;
    }
    throw e;
  }
  out.count = to - from + 1;
  out.lastHash = /** @type {string | null} */ (lastHash);
  out.levels = frontier.levels;
  out.hashes = frontier.hashes;
  return out;
}
