import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createFlows } from "@/lib/demo/log-flows";
import { createLogSink, type Entry } from "@/lib/demo/log-sink";
import { playTraffic } from "@/lib/demo/log-traffic";
import { createRng } from "@/lib/demo/prng";
import { DAY_MS, type DemoServer, type LogEvent, type ReplicationState } from "@/lib/demo/types";

// Writes the demo's log files, one per day, named the way their writers rotate them:
// Sydent's TimedRotatingFileHandler(when="midnight") -> sydent.log, sydent.log.YYYY-MM-DD
// (older ones gzipped by the operator's cron -> .gz); Debian's logrotate for rsyslog's
// haproxy.log (daily, delaycompress) -> haproxy.log, haproxy.log.1, haproxy.log.N.gz.
// Each file's mtime is its last line's time, as if written live.

export type GenerateLogsOptions = {
  outDir: string;
  seed: string;
  referenceTime: Date;
  logDays: number;
  servers: [DemoServer, DemoServer];
  events: LogEvent[];
  replication: ReplicationState;
  /** Sydent files older than this many days are gzipped. */
  compressSydentAfterDays?: number;
};

export type LogFileInfo = {
  path: string;
  kind: "sydent" | "haproxy";
  server: "is1" | "is2" | null;
  day: string;
  gzipped: boolean;
  lines: number;
  bytes: number;
  mtime: string;
};

export type GenerateLogsResult = {
  sydentDirs: [string, string];
  haproxyDir: string;
  files: LogFileInfo[];
  firstDay: string;
  lastDay: string;
};

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function generateLogs(o: GenerateLogsOptions): GenerateLogsResult {
  const ref = o.referenceTime.getTime();
  const today = Math.floor(ref / DAY_MS) * DAY_MS;
  const start = today - (o.logDays - 1) * DAY_MS;
  const rl = createRng(o.seed, "logs");
  const sink = createLogSink(o.servers, rl);
  const flows = createFlows(sink, o.servers, rl);
  for (const e of o.events) flows.play(e);
  playTraffic(sink, flows, o.servers, o.events, o.replication, rl, { start, ref });

  const logsDir = path.join(o.outDir, "logs");
  fs.rmSync(logsDir, { recursive: true, force: true });
  const sydentDirs = o.servers.map((s) => path.join(logsDir, s.label)) as [string, string];
  const haproxyDir = path.join(logsDir, "haproxy");
  for (const d of [...sydentDirs, haproxyDir]) fs.mkdirSync(d, { recursive: true });
  const compressAfter = o.compressSydentAfterDays ?? 7;
  const files: LogFileInfo[] = [];

  const write = (entries: Entry[], kind: "sydent" | "haproxy", server: DemoServer | null) => {
    const byDay = new Map<number, Entry[]>();
    for (const e of entries) {
      if (e.ms < start || e.ms > ref) continue;
      const d = Math.floor(e.ms / DAY_MS) * DAY_MS;
      const list = byDay.get(d);
      if (list) list.push(e);
      else byDay.set(d, [e]);
    }
    for (let day = start; day <= today; day += DAY_MS) {
      const ago = Math.round((today - day) / DAY_MS);
      const list = (byDay.get(day) ?? []).sort((a, b) => a.ms - b.ms);
      let name: string;
      let gz: boolean;
      if (kind === "sydent") {
        gz = ago > compressAfter;
        name = ago === 0 ? "sydent.log" : `sydent.log.${isoDay(day)}${gz ? ".gz" : ""}`;
      } else {
        gz = ago > 1;
        name = ago === 0 ? "haproxy.log" : `haproxy.log.${ago}${gz ? ".gz" : ""}`;
      }
      const text = list.map((e) => `${e.text}\n`).join("");
      const body = gz ? zlib.gzipSync(Buffer.from(text, "utf8"), { level: 9 }) : Buffer.from(text, "utf8");
      const file = path.join(kind === "sydent" ? sydentDirs[server!.index] : haproxyDir, name);
      fs.writeFileSync(file, body);
      const last = list.length ? list[list.length - 1].ms : Math.min(ref, day + DAY_MS - 1);
      fs.utimesSync(file, last / 1000, last / 1000);
      files.push({
        path: file, kind, server: server?.label ?? null, day: isoDay(day), gzipped: gz,
        lines: text.split("\n").length - 1, bytes: body.length, mtime: new Date(last).toISOString(),
      });
    }
  };
  write(sink.sydent[0], "sydent", o.servers[0]);
  write(sink.sydent[1], "sydent", o.servers[1]);
  write(sink.haproxy, "haproxy", null);
  return { sydentDirs, haproxyDir, files, firstDay: isoDay(start), lastDay: isoDay(today) };
}
