import { isUtf8 } from "node:buffer";
import fsp, { type FileHandle } from "node:fs/promises";
import zlib from "node:zlib";
import type { LogFileProblem } from "@/lib/subjects/types";

// Streams a log file line by line in constant memory: plain, or gunzipped when the file starts
// with gzip's magic bytes (whatever its name says). Never throws for a bad file: a missing,
// unreadable, truncated or corrupt file is read as far as it goes and the trouble is returned.
//
// Damaged gzip: Node's Gunzip drops the output of the inflate call that fails (up to 16 KiB),
// so after a data error the file is decoded again up to the last good input byte (Gunzip's
// bytesWritten), then byte-slice by byte-slice, and the lines that were lost are recovered.

export type Problem = Omit<LogFileProblem, "file">;
export type ReadResult = { bytesRead: number; lines: number; gzip: boolean; problems: Problem[]; aborted: boolean };
export type ReadOptions = {
  gzipByName: boolean;
  onLine(text: string, lineNo: number): void;
  /** Bytes read from disk (compressed bytes for gzip files). */
  onBytes?(n: number): void;
  signal?: AbortSignal;
  /** Read at most this many bytes of the file (the prefix that existed when a caller looked: a
   * current log file keeps growing while it is read; what was appended after is not read). */
  maxBytes?: number;
};

/** A line longer than this is searched in pieces (same line number); a needle across a cut is missed. */
export const MAX_LINE_BYTES = 1 << 20;
const CHUNK = 256 * 1024;

export class LineSplitter {
  lineNo = 0;
  garbled = 0;
  firstGarbled = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private continuing = false;
  constructor(private readonly onLine: (text: string, lineNo: number) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      let part = chunk.subarray(start, nl);
      if (this.carryLen) {
        part = Buffer.concat([...this.carry, part]);
        this.carry = [];
        this.carryLen = 0;
      }
      this.emit(part, true);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.carry.push(rest);
      this.carryLen += rest.length;
      if (this.carryLen >= MAX_LINE_BYTES) {
        const long = Buffer.concat(this.carry);
        this.carry = [];
        this.carryLen = 0;
        this.emit(long, false);
      }
    }
  }

  end(): void {
    if (this.carryLen || this.continuing) this.emit(Buffer.concat(this.carry), true);
    this.carry = [];
    this.carryLen = 0;
  }

  private emit(buf: Buffer, complete: boolean): void {
    const newLine = !this.continuing;
    if (newLine) this.lineNo++;
    this.continuing = !complete;
    const b = buf.length && buf[buf.length - 1] === 13 ? buf.subarray(0, -1) : buf;
    if (newLine && (b.indexOf(0) !== -1 || !isUtf8(b))) {
      if (!this.garbled) this.firstGarbled = this.lineNo;
      this.garbled++;
    }
    this.onLine(b.toString("utf8"), this.lineNo);
  }
}

const code = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? "error";

function openProblem(e: unknown): Problem {
  const c = code(e);
  if (c === "ENOENT" || c === "ENOTDIR") return { problem: "missing", detail: "The file does not exist (any more)." };
  if (c === "EISDIR") return { problem: "not-a-file", detail: "The path is a directory." };
  return { problem: "unreadable", detail: `The file cannot be opened (${c}).` };
}

function zlibProblem(e: unknown, consumed: number, size: number): Problem {
  if (code(e) === "Z_BUF_ERROR") {
    return { problem: "truncated", detail: `The compressed data ends early (unexpected end of file, ${size} bytes): the lines before the cut were searched.` };
  }
  if (String(code(e)).startsWith("Z_")) {
    return { problem: "corrupt-gzip", detail: `The compressed data is damaged after about byte ${consumed} of ${size} (${(e as Error).message}): the lines before the damage were searched.` };
  }
  return { problem: "unreadable", detail: `Reading stopped after about byte ${consumed} of ${size} (${code(e)}).` };
}

/** `limit`: stop after this many bytes (undefined: read to the end, including what is appended meanwhile). */
async function readPlain(fh: FileHandle, limit: number | undefined, split: LineSplitter, o: ReadOptions, r: ReadResult): Promise<void> {
  if (limit !== undefined && limit <= 0) return;
  const rs = fh.createReadStream({ start: 0, ...(limit !== undefined ? { end: limit - 1 } : {}), highWaterMark: CHUNK, autoClose: false });
  try {
    for await (const chunk of rs as AsyncIterable<Buffer>) {
      if (o.signal?.aborted) {
        r.aborted = true;
        break;
      }
      r.bytesRead += chunk.length;
      o.onBytes?.(chunk.length);
      split.push(chunk);
    }
  } catch (e) {
    r.problems.push({ problem: "unreadable", detail: `Reading stopped after byte ${r.bytesRead} (${code(e)}): the lines before were searched.` });
  } finally {
    rs.destroy();
  }
}

type Decode = { err: unknown; consumed: number; out: number; aborted: boolean };

/**
 * Feeds the file to a Gunzip and every decoded byte past `skip` to the splitter. From `slowFrom`
 * on, input goes in 16-byte slices so that a failing inflate call loses at most a few bytes.
 */
async function decode(fh: FileHandle, size: number, split: LineSplitter, o: ReadOptions, opts: { skip: number; slowFrom: number; count: boolean }): Promise<Decode> {
  // The first, fast pass inflates into 128 KiB pieces (each piece is a thread-pool round trip: the
  // 16 KiB default costs several times more on a busy machine); the recovery pass keeps the default.
  const gz = zlib.createGunzip(opts.slowFrom >= size && opts.skip === 0 ? { chunkSize: 128 * 1024 } : {});
  const d: Decode = { err: null, consumed: 0, out: 0, aborted: false };
  const failed = new Promise<void>((res) => gz.once("error", (e) => ((d.err = e), res())));
  gz.on("data", (c: Buffer) => {
    const from = Math.max(0, opts.skip - d.out);
    d.out += c.length;
    if (from < c.length) split.push(from ? c.subarray(from) : c);
  });
  const write = (b: Buffer) => Promise.race([new Promise<void>((res) => gz.write(b, () => res())), failed]);
  const buf = Buffer.alloc(CHUNK);
  const slowUntil = Math.min(size, opts.slowFrom + 64 * 1024);
  let off = 0;
  while (off < size && !d.err) {
    if (o.signal?.aborted) {
      d.aborted = true;
      break;
    }
    const want = off < opts.slowFrom ? Math.min(CHUNK, opts.slowFrom - off) : off < slowUntil ? 16 : CHUNK;
    const { bytesRead } = await fh.read(buf, 0, want, off);
    if (!bytesRead) break;
    if (opts.count) o.onBytes?.(bytesRead);
    await write(Buffer.from(buf.subarray(0, bytesRead)));
    off += bytesRead;
  }
  if (!d.err && !d.aborted) {
    gz.end();
    await Promise.race([new Promise((res) => gz.once("end", res)), failed]);
  }
  d.consumed = gz.bytesWritten;
  gz.destroy();
  return d;
}

async function readGzip(fh: FileHandle, size: number, split: LineSplitter, o: ReadOptions, r: ReadResult): Promise<void> {
  const counted: ReadOptions = { ...o, onBytes: (n) => ((r.bytesRead += n), o.onBytes?.(n)) };
  let d = await decode(fh, size, split, counted, { skip: 0, slowFrom: size, count: true });
  r.aborted = d.aborted;
  if (!d.err) return;
  const { err, consumed } = d;
  if (String(code(err)).startsWith("Z_") && consumed < size && !o.signal?.aborted) {
    d = await decode(fh, size, split, o, { skip: d.out, slowFrom: consumed, count: false });
  }
  r.problems.push(zlibProblem(d.err ?? err, consumed, size));
}

export async function readLogLines(file: string, o: ReadOptions): Promise<ReadResult> {
  const r: ReadResult = { bytesRead: 0, lines: 0, gzip: false, problems: [], aborted: false };
  let fh: FileHandle;
  try {
    fh = await fsp.open(file, "r");
  } catch (e) {
    r.problems.push(openProblem(e));
    return r;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      r.problems.push({ problem: "not-a-file", detail: "The path is a directory or another non-regular file." });
      return r;
    }
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    r.gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
    if (o.gzipByName && !r.gzip) r.problems.push({ problem: "corrupt-gzip", detail: "Named .gz but not gzip data: searched as plain text." });
    const split = new LineSplitter(o.onLine);
    const limit = o.maxBytes === undefined ? undefined : Math.min(st.size, o.maxBytes);
    await (r.gzip ? readGzip(fh, limit ?? st.size, split, o, r) : readPlain(fh, limit, split, o, r));
    if (!r.aborted) split.end();
    r.lines = split.lineNo;
    if (split.garbled) {
      r.problems.push({ problem: "binary-content", detail: `${split.garbled} line(s) hold NUL bytes or invalid UTF-8 (first at line ${split.firstGarbled}): damaged or overwritten content.` });
    }
  } catch (e) {
    r.problems.push({ problem: "unreadable", detail: `Reading failed (${code(e)}): the lines before were searched.` });
  } finally {
    await fh.close().catch(() => undefined);
  }
  return r;
}
