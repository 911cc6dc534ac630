-- At most one active enforcement (awaiting approval or running) per log source: two cron runs of
-- the same source cannot both act (lib/retention/run.ts claims the source by inserting its row).
-- Rows left "running" by a process that died before this change can never finish: they are
-- recorded as failed (they can be asked for again).
UPDATE "RetentionEnforcement" SET "state" = 'failed', "result" = '{"error":"interrupted: found running when one active enforcement per source became the rule"}'
  WHERE "state" = 'running';
CREATE UNIQUE INDEX "RetentionEnforcement_one_active_per_source" ON "RetentionEnforcement"("sourceKey") WHERE "state" IN ('awaiting_approval', 'running');
