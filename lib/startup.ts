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

// Abuse blocks whose expiry passed while the console was down end now (and every 5 minutes while it
// runs, besides the blocks:expire cron); skipped when HAProxy is not configured. A failure is
// access-logged each time (HAProxy still holds an expired block), so the timer is not tighter.
if (env().CUSTODIAN_HAPROXY_SOCKET) {
  const expire = () =>
    import("@/lib/blocks/service")
      .then((m) => m.expireBlocks({ id: null, label: "system:blocks-expire", role: "system" }))
      .catch((e) => console.error(`blocks: expiry failed: ${(e as Error).message}`));
  setTimeout(expire, 5_000).unref();
  setInterval(expire, 5 * 60_000).unref();
}
