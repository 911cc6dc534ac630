import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { BENCH_ROOT } from "@/lib/bench/setup";
import { auditLogSources } from "@/lib/retention/audit-sources";

// npm run bench -- retention [--days 365] [--mb-per-day 1] [--keep-plain 1]
// A year of rotated logs, generated from the real fixture's lines (timestamps moved to each day):
// per day one Sydent file (sydent.log.YYYY-MM-DD.gz) and one HAProxy file (haproxy.log.N.gz), the
// newest rotated ones plain as logrotate's delaycompress leaves them, plus the two current files.
// Then, in one run: Custodian's audit of every file (every line dated and classed, streaming),
// against `zcat | head -1` + `zcat | tail -1` per file (what a person would do to date a file)
// and `zgrep -c` over the same files. Peak RSS during the audit shows memory stays flat.
// Kept in .tmp/bench/retention-<days>d-<mb>mb/ and reused. Figures go into BENCHMARKS.md.

const FIXTURE = path.resolve("lib/test/fixtures/sydent-real");
const DAY = 86_400_000;

function templates(file: string): string[] {
  return fs.readFileSync(path.join(FIXTURE, file), "utf8").split("\n").filter((l) => l.length > 0);
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The fixture's lines moved to `day` (Sydent "YYYY-MM-DD HH:MM:SS,mmm"; HAProxy RFC 3339 + accept date). */
function dayText(lines: string[], kind: "sydent" | "haproxy", day: number, targetBytes: number): Buffer {
  const d = ymd(day);
  const [y, , dd] = d.split("-");
  const mon = new Date(day).toUTCString().slice(8, 11);
  const out: string[] = [];
  let bytes = 0;
  for (let rep = 0; bytes < targetBytes; rep++) {
    const hh = String(Math.min(23, Math.floor((rep * 24) / Math.max(1, Math.ceil(targetBytes / 70_000))))).padStart(2, "0");
    for (const l of lines) {
      const s = kind === "sydent"
        ? l.replace(/^\d{4}-\d{2}-\d{2} \d{2}/, `${d} ${hh}`).replace(/\[\d{2}\/\w{3}\/\d{4}:\d{2}/, `[${dd}/${mon}/${y}:${hh}`)
        : l.replace(/^\d{4}-\d{2}-\d{2}T\d{2}/, `${d}T${hh}`).replace(/\[\d{2}\/\w{3}\/\d{4}:\d{2}/, `[${dd}/${mon}/${y}:${hh}`);
      out.push(s);
      bytes += s.length + 1;
    }
  }
  return Buffer.from(out.join("\n") + "\n");
}

function generate(dir: string, days: number, mbPerDay: number, keepPlain: number, end: number): void {
  if (fs.existsSync(path.join(dir, "done"))) return;
  fs.rmSync(dir, { recursive: true, force: true });
  for (const sub of ["sydent", "haproxy"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const syd = templates("is1/sydent.log");
  const hap = templates("haproxy/haproxy.log");
  const per = (mbPerDay * 1024 * 1024) / 2; // half Sydent, half HAProxy
  for (let i = 0; i <= days; i++) {
    const day = end - i * DAY;
    for (const [kind, lines] of [["sydent", syd], ["haproxy", hap]] as const) {
      const text = dayText(lines, kind, day, per);
      const name = i === 0 ? `${kind}.log` : kind === "sydent" ? `sydent.log.${ymd(day)}` : `haproxy.log.${i}`;
      const gz = i > keepPlain;
      fs.writeFileSync(path.join(dir, kind, gz ? `${name}.gz` : name), gz ? zlib.gzipSync(text, { level: 6 }) : text);
    }
    if (i % 30 === 0) process.stderr.write(`bench: generated ${i}/${days} days\n`);
  }
  fs.writeFileSync(path.join(dir, "done"), String(end));
}

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

export async function retentionBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { days: { type: "string" }, "mb-per-day": { type: "string" }, "keep-plain": { type: "string" } } });
  const days = Number(values.days ?? 365);
  const mb = Number(values["mb-per-day"] ?? 1);
  const keepPlain = Number(values["keep-plain"] ?? 1);
  if (!(days >= 1 && days <= 3650 && mb > 0 && mb <= 1024 && keepPlain >= 0)) throw new Error("--days 1..3650, --mb-per-day > 0, --keep-plain >= 0");
  const end = Date.UTC(2026, 10, 27, 23, 0, 0);
  const dir = path.join(BENCH_ROOT, `retention-${days}d-${mb}mb`);
  generate(dir, days, mb, keepPlain, end);
  const files = ["sydent", "haproxy"].flatMap((k) => fs.readdirSync(path.join(dir, k)).map((f) => path.join(dir, k, f))).sort();
  const stored = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  process.stderr.write(`bench: ${files.length} files, ${(stored / 1048576).toFixed(0)} MiB on disk\n`);
  // The audit reads only inside the log roots; it needs no console database. Fixed benchmark
  // secrets (as lib/bench/setup.ts uses) so that no .env is needed and the operator's is not read.
  Object.assign(process.env, {
    NEXTAUTH_SECRET: "bench-nextauth-secret-0123456789abcdef0123456789",
    CUSTODIAN_MASTER_KEY: "be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c",
    CUSTODIAN_LOG_ROOTS: dir,
  });
  (await import("@/lib/env")).resetEnvCache();

  // Custodian: every line of every file, dated and classed; RSS sampled every 20 ms. "Flat" is
  // read from the samples: the peak in each quarter of the run stays the same while the files go
  // by (a leak or a whole file held in memory would make later quarters higher).
  const loadBefore = os.loadavg();
  const base = process.memoryUsage().rss;
  let peak = base;
  const samples: [number, number][] = [];
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    samples.push([performance.now(), rss]);
  }, 20);
  const t0 = performance.now();
  const sources = await auditLogSources([{ label: "bench", sydentLogPaths: [path.join(dir, "sydent", "sydent.log*")], haproxyLogPaths: [path.join(dir, "haproxy", "haproxy.log*")] }], {
    now: new Date(end + DAY / 2), policyFor: () => DEFAULT_RETENTION_POLICY,
  });
  const auditMs = performance.now() - t0;
  clearInterval(timer);
  const quarters = [0, 1, 2, 3].map((q) => {
    const inQ = samples.filter(([t]) => t - t0 >= (q * auditMs) / 4 && t - t0 < ((q + 1) * auditMs) / 4).map(([, r]) => r);
    return inQ.length ? +((Math.max(...inQ) - base) / 1048576).toFixed(1) : null;
  });
  const audited = sources.flatMap((s) => s.files);
  const lines = audited.reduce((n, f) => n + f.lines, 0);

  // Plain tools, per file: first and last line.
  const headTail = time(() => {
    for (const f of files) {
      spawnSync("sh", ["-c", 'zcat -f -- "$1" | head -1 >/dev/null', "sh", f]);
      spawnSync("sh", ["-c", 'zcat -f -- "$1" | tail -1 >/dev/null', "sh", f]);
    }
  });
  // zgrep -c over the same files (counting lines that mention a lookup), in batches of 100 files.
  const zgrep = time(() => {
    for (let i = 0; i < files.length; i += 100) spawnSync("zgrep", ["-c", "lookup", ...files.slice(i, i + 100)], { maxBuffer: 1 << 24 });
  });
  const bytesUncompressed = Number(spawnSync("sh", ["-c", `zcat -f -- "$@" | wc -c`, "sh", ...files], { encoding: "utf8", maxBuffer: 1 << 20 }).stdout.trim());

  const result = {
    days, mbPerDay: mb, files: files.length, gzipFiles: files.filter((f) => f.endsWith(".gz")).length,
    storedMiB: +(stored / 1048576).toFixed(1), uncompressedMiB: +(bytesUncompressed / 1048576).toFixed(1), lines,
    custodianAuditS: +(auditMs / 1000).toFixed(2), custodianMiBps: +(bytesUncompressed / 1048576 / (auditMs / 1000)).toFixed(1),
    zcatHeadTailS: +(headTail.ms / 1000).toFixed(2), zgrepCountS: +(zgrep.ms / 1000).toFixed(2),
    auditPeakRssExtraMiB: +((peak - base) / 1048576).toFixed(1), auditPeakRssExtraMiBByQuarter: quarters,
    auditStartRssMiB: +(base / 1048576).toFixed(1), auditPeakRssMiB: +(peak / 1048576).toFixed(1), largestFileMiB: +(Math.max(...files.map((f) => fs.statSync(f).size)) / 1048576).toFixed(1),
    cpus: os.cpus().length, loadAverageBefore: loadBefore.map((x) => +x.toFixed(2)), loadAverageAfter: os.loadavg().map((x) => +x.toFixed(2)),
    verdicts: audited.reduce<Record<string, number>>((m, f) => ((m[f.verdict] = (m[f.verdict] ?? 0) + 1), m), {}),
  };
  console.log(JSON.stringify(result, null, 2));
  fs.writeFileSync(path.join(BENCH_ROOT, `retention-results-${new Date().toISOString().replace(/[:.]/g, "")}.json`), JSON.stringify(result, null, 2) + "\n");
  return 0;
}
