-- Abuse blocks enforced by HAProxy (lib/blocks): blocks and their renewals.
CREATE TABLE "AbuseBlock" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "broad" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT NOT NULL,
    "approvedById" TEXT,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "endedById" TEXT,
    "endReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE INDEX "AbuseBlock_state_expiresAt_idx" ON "AbuseBlock"("state", "expiresAt");
CREATE INDEX "AbuseBlock_kind_value_idx" ON "AbuseBlock"("kind", "value");

CREATE TABLE "AbuseBlockRenewal" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "blockId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "renewedById" TEXT NOT NULL,
    "previousExpiresAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "AbuseBlockRenewal_blockId_idx" ON "AbuseBlockRenewal"("blockId");
