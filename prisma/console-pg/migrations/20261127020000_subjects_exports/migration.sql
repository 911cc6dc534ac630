-- Subjects attached to requests, and access/portability packages.
CREATE TABLE "RequestSubject" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "masked" TEXT NOT NULL,
    "addedById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "RequestSubject_requestId_pseudonym_key" ON "RequestSubject"("requestId", "pseudonym");
CREATE INDEX "RequestSubject_pseudonym_idx" ON "RequestSubject"("pseudonym");

CREATE TABLE "ExportPackage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "subjectMasked" TEXT NOT NULL,
    "generatedById" TEXT NOT NULL,
    "generatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approvedById" TEXT,
    "approvedAt" TIMESTAMP(3),
    "sha256" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "storagePath" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "downloadTokenHash" TEXT,
    "downloadExpiresAt" TIMESTAMP(3),
    "downloadedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3)
);
CREATE UNIQUE INDEX "ExportPackage_downloadTokenHash_key" ON "ExportPackage"("downloadTokenHash");
CREATE INDEX "ExportPackage_requestId_idx" ON "ExportPackage"("requestId");
