import fs from "node:fs";
import path from "node:path";
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { BLOCK_KINDS, BLOCK_SCOPES, type BlockKind, type BlockScope } from "@/lib/blocks/targets";

// The block lists HAProxy loads (`-f <file>`), one file per kind and scope, rebuilt from the active
// blocks on every change. The files are the source HAProxy starts from, so a restart keeps every
// block; the runtime API (lib/blocks/runtime.ts) brings the running process to the same state.

export type ListKey = `${BlockKind}-${BlockScope}`;
export type DesiredLists = Map<string, Set<string>>;

export function listFile(dir: string, kind: BlockKind, scope: BlockScope): string {
  return path.join(path.resolve(dir), `${kind}-${scope}.lst`);
}

export function allListFiles(dir: string): string[] {
  return BLOCK_KINDS.flatMap((k) => BLOCK_SCOPES.map((s) => listFile(dir, k, s)));
}

/**
 * The patterns HAProxy matches for one block. Phone numbers: Sydent parses `phone_number` with
 * `country` (phonenumbers), so a number arrives either international ("+44 7700 900123", country
 * ignored) or national with a region ("07700900123" + "GB"). HAProxy strips punctuation and
 * matches "+<digits>" or "<REGION>:<digits>"; every region sharing the calling code gets entries.
 */
export function patternsFor(kind: BlockKind, value: string): string[] {
  switch (kind) {
    case "domain":
      return [`@${value}`];
    case "msisdn":
      return msisdnPatterns(value);
    default:
      return [value];
  }
}

function msisdnPatterns(digits: string): string[] {
  const out = new Set<string>([`+${digits}`]);
  const p = parsePhoneNumberFromString(`+${digits}`);
  if (!p) return [...out];
  const national = p.nationalNumber;
  const formatted = p.formatNational().replace(/[^0-9]/g, "");
  const regions = getCountries().filter((c) => getCountryCallingCode(c) === p.countryCallingCode);
  for (const region of regions) {
    out.add(`${region}:${national}`);
    if (formatted !== national) out.add(`${region}:${formatted}`);
  }
  return [...out];
}

export type ActiveBlock = { kind: string; value: string; scope: string };

/** Every list file (empty ones included) with the patterns the active blocks need. */
export function desiredLists(dir: string, blocks: ActiveBlock[]): DesiredLists {
  const lists: DesiredLists = new Map(allListFiles(dir).map((f) => [f, new Set<string>()]));
  for (const b of blocks) {
    const file = listFile(dir, b.kind as BlockKind, b.scope as BlockScope);
    const set = lists.get(file);
    if (!set) continue;
    for (const p of patternsFor(b.kind as BlockKind, b.value)) set.add(p);
  }
  return lists;
}

export class BlockFileError extends Error {
  constructor(
    public readonly file: string,
    public readonly reason: string,
  ) {
    super(`Block file ${file}: ${reason}`);
    this.name = "BlockFileError";
  }
}

function fileProblem(file: string, e: unknown): BlockFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === "EACCES" || code === "EPERM" ? "permission denied (HAProxy could not load it either)"
    : code === "EISDIR" ? "is a directory, not a file HAProxy can load"
    : code === "ENOENT" ? "missing (its directory does not exist)"
    : code === "EROFS" ? "on a read-only file system"
    : `cannot be used (${code ?? (e as Error).message})`;
  return new BlockFileError(file, reason);
}

/** Reads one list file as HAProxy would (comments and blank lines skipped). */
export function readListFile(file: string): Set<string> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw fileProblem(file, e);
  }
  return new Set(text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")));
}

function render(patterns: Set<string>): string {
  return `# Managed by Custodian (abuse blocks). Do not edit: changes are overwritten.\n${[...patterns].sort().join("\n")}${patterns.size ? "\n" : ""}`;
}

/**
 * Checks every file can be written before any is, then replaces each atomically (temp + rename),
 * world-readable so HAProxy's user can load it. Returns what was there before, for a rollback.
 */
export function writeLists(lists: DesiredLists): Map<string, string | null> {
  const before = new Map<string, string | null>();
  for (const file of lists.keys()) {
    try {
      fs.accessSync(path.dirname(file), fs.constants.W_OK);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st?.isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" });
      before.set(file, st ? fs.readFileSync(file, "utf8") : null);
    } catch (e) {
      throw fileProblem(file, e);
    }
  }
  for (const [file, patterns] of lists) writeAtomic(file, render(patterns));
  return before;
}

export function restoreLists(before: Map<string, string | null>): void {
  for (const [file, text] of before) {
    if (text === null) fs.rmSync(file, { force: true });
    else writeAtomic(file, text);
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o644 });
    fs.chmodSync(tmp, 0o644);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fileProblem(file, e);
  }
}

/** Creates the directory and any missing (empty) list file, so HAProxy can start with them. */
export function ensureListFiles(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const f of allListFiles(dir)) if (!fs.existsSync(f)) writeAtomic(f, render(new Set()));
}
