-- The legal clock pauses while an identity check or a clarification is pending; refusals record
-- their ground (manifestly unfounded, excessive, ...).
ALTER TABLE "Request" ADD COLUMN "clockPausedAt" TIMESTAMP(3);
ALTER TABLE "Request" ADD COLUMN "pausedDays" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Request" ADD COLUMN "refusalGround" TEXT;

CREATE TABLE "RequestClockPause" (
    "id" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "pausedAt" TIMESTAMP(3) NOT NULL,
    "pausedById" TEXT NOT NULL,
    "resumedAt" TIMESTAMP(3),
    "resumedById" TEXT,
    "days" INTEGER,
    CONSTRAINT "RequestClockPause_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RequestClockPause_requestId_idx" ON "RequestClockPause"("requestId");
