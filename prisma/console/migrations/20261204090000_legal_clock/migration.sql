-- The legal clock pauses while an identity check or a clarification is pending; refusals record
-- their ground (manifestly unfounded, excessive, ...).
ALTER TABLE "Request" ADD COLUMN "clockPausedAt" DATETIME;
ALTER TABLE "Request" ADD COLUMN "pausedDays" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Request" ADD COLUMN "refusalGround" TEXT;

CREATE TABLE "RequestClockPause" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "pausedAt" DATETIME NOT NULL,
    "pausedById" TEXT NOT NULL,
    "resumedAt" DATETIME,
    "resumedById" TEXT,
    "days" INTEGER
);
CREATE INDEX "RequestClockPause_requestId_idx" ON "RequestClockPause"("requestId");
