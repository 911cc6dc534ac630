-- How Custodian may write to an identity server's database: "live" (only through Sydent's internal
-- API) or "stopped" (declared by an operator, who/when/why recorded; direct SQL after proof).
ALTER TABLE "IdentityServer" ADD COLUMN "sydentMode" TEXT NOT NULL DEFAULT 'live';
ALTER TABLE "IdentityServer" ADD COLUMN "sydentModeAt" DATETIME;
ALTER TABLE "IdentityServer" ADD COLUMN "sydentModeBy" TEXT;
ALTER TABLE "IdentityServer" ADD COLUMN "sydentModeNote" TEXT;
-- Erasure steps: what a waiting step waits for, and the lock waits and retries it met.
ALTER TABLE "ErasureStep" ADD COLUMN "waitingFor" TEXT;
ALTER TABLE "ErasureStep" ADD COLUMN "lockWaits" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ErasureStep" ADD COLUMN "lockWaitMs" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ErasureStep" ADD COLUMN "retries" INTEGER NOT NULL DEFAULT 0;
