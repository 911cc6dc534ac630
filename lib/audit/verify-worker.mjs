// @ts-check
// Worker thread of the SQLite fast path (lib/audit/verify-parallel.ts): opens the console
// database read-only and runs the chunks it is sent (lib/audit/verify-chunk.mjs).
import { parentPort, workerData } from "node:worker_threads";
import { openReadonly, runChunk } from "./verify-chunk.mjs";

const db = openReadonly(workerData.file);
const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
port.on("message", (job) => {
  if (job === "close") {
    db.close();
    port.close();
    return;
  }
  try {
    port.postMessage({ ok: true, result: runChunk(db, job) });
  } catch (e) {
    port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
