import yazl from "yazl";
import { sha256 } from "@/lib/exports/build";
import type { ExportFile } from "@/lib/exports/types";

// The zip (yazl: a maintained, streaming zip writer; nothing hand-rolled). Deterministic: files
// in name order, one fixed modification time (the package's generation time), fixed mode, so
// the same files always give the same bytes and the same SHA-256.

export async function zipFiles(files: ExportFile[], mtime: Date): Promise<{ zip: Buffer; sha256: string }> {
  const zip = new yazl.ZipFile();
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    zip.addBuffer(f.bytes, f.name, { mtime, mode: 0o100644, compress: true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  const buf = Buffer.concat(chunks);
  return { zip: buf, sha256: sha256(buf) };
}
