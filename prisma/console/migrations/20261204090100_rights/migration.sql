-- Complaints and the other rights: restriction and objection, the disclosure register
-- (privacy notice 3.4), the complaint queue with its links and correspondence.

CREATE TABLE "Restriction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "masked" TEXT NOT NULL,
    "requestId" TEXT,
    "ground" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "liftedAt" DATETIME,
    "liftedById" TEXT,
    "liftReason" TEXT
);
CREATE TABLE "Objection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "processing" TEXT NOT NULL,
    "decision" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedById" TEXT,
    "decidedAt" DATETIME
);
CREATE TABLE "Disclosure" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "legalBasis" TEXT NOT NULL,
    "whatShared" TEXT NOT NULL,
    "orderReference" TEXT,
    "subjectType" TEXT NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "masked" TEXT NOT NULL,
    "requestId" TEXT,
    "disclosedOn" DATETIME NOT NULL,
    "notification" TEXT NOT NULL,
    "deferredUntil" DATETIME,
    "deferralReason" TEXT,
    "state" TEXT NOT NULL DEFAULT 'proposed',
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approvedById" TEXT,
    "approvedAt" DATETIME
);
CREATE TABLE "Complaint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'open',
    "summary" TEXT NOT NULL,
    "contactName" TEXT NOT NULL,
    "contactEnc" TEXT NOT NULL,
    "contactMasked" TEXT NOT NULL,
    "ownerId" TEXT,
    "receivedAt" DATETIME NOT NULL,
    "firstResponseDue" DATETIME NOT NULL,
    "resolutionDue" DATETIME NOT NULL,
    "firstResponseAt" DATETIME,
    "escalatedAt" DATETIME,
    "resolvedAt" DATETIME,
    "resolution" TEXT,
    "subjectPseudonym" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE "ComplaintLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "complaintId" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "addedById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE "ComplaintMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "complaintId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "template" TEXT,
    "body" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "Restriction_pseudonym_idx" ON "Restriction"("pseudonym");
CREATE INDEX "Objection_requestId_idx" ON "Objection"("requestId");
CREATE UNIQUE INDEX "Disclosure_reference_key" ON "Disclosure"("reference");
CREATE INDEX "Disclosure_pseudonym_idx" ON "Disclosure"("pseudonym");
CREATE INDEX "Disclosure_state_idx" ON "Disclosure"("state");
CREATE UNIQUE INDEX "Complaint_reference_key" ON "Complaint"("reference");
CREATE INDEX "Complaint_state_idx" ON "Complaint"("state");
CREATE INDEX "Complaint_ownerId_idx" ON "Complaint"("ownerId");
CREATE UNIQUE INDEX "ComplaintLink_complaintId_relation_kind_ref_key" ON "ComplaintLink"("complaintId", "relation", "kind", "ref");
CREATE INDEX "ComplaintMessage_complaintId_idx" ON "ComplaintMessage"("complaintId");
