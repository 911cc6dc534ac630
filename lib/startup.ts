import { ConfigError, env } from "@/lib/env";

// Imported once by instrumentation.ts in the Node.js runtime at server start.
try {
  env();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78); // EX_CONFIG
  }
  throw e;
}

// Erasure jobs left "running" by a previous process resume once their lease has lapsed
// (lib/erasure/workflow-execute.ts). Never blocks or fails start-up: errors are swallowed there,
// and the timer does not keep the process alive.
setTimeout(() => {
  import("@/lib/erasure/workflow-execute").then((m) => m.resumeStaleJobs()).catch(() => {});
}, 65_000).unref();
