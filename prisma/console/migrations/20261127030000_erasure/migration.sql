-- Erasure: durable jobs with recorded steps, bulk batches.
CREATE TABLE "ErasureJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "subjectPseudonym" TEXT NOT NULL,
    "subjectMasked" TEXT NOT NULL,
    "subjectEnc" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "approvedById" TEXT,
    "approvedAt" DATETIME,
    "executedById" TEXT,
    "batchId" TEXT,
    "planEnc" TEXT,
    "pausedReason" TEXT,
    "phase1DoneAt" DATETIME,
    "phase2DueAt" DATETIME,
    "completedAt" DATETIME,
    "receipt" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "ErasureJob_requestId_subjectPseudonym_key" ON "ErasureJob"("requestId", "subjectPseudonym");
CREATE INDEX "ErasureJob_state_idx" ON "ErasureJob"("state");
CREATE INDEX "ErasureJob_batchId_idx" ON "ErasureJob"("batchId");

CREATE TABLE "ErasureStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "serverId" TEXT,
    "kind" TEXT NOT NULL,
    "targetEnc" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "startedAt" DATETIME,
    "doneAt" DATETIME,
    "result" TEXT
);
CREATE UNIQUE INDEX "ErasureStep_jobId_seq_key" ON "ErasureStep"("jobId", "seq");
CREATE INDEX "ErasureStep_jobId_state_idx" ON "ErasureStep"("jobId", "state");

CREATE TABLE "ErasureBatch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT,
    "fileName" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "totalRows" INTEGER NOT NULL,
    "validRows" INTEGER NOT NULL,
    "rejectedRows" INTEGER NOT NULL,
    "createdById" TEXT NOT NULL,
    "approvedById" TEXT,
    "approvedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

CREATE TABLE "ErasureBatchRow" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "batchId" TEXT NOT NULL,
    "rowNo" INTEGER NOT NULL,
    "inputEnc" TEXT NOT NULL,
    "pseudonym" TEXT,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "jobId" TEXT
);
CREATE UNIQUE INDEX "ErasureBatchRow_batchId_rowNo_key" ON "ErasureBatchRow"("batchId", "rowNo");
CREATE INDEX "ErasureBatchRow_batchId_status_idx" ON "ErasureBatchRow"("batchId", "status");
