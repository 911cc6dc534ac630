-- Log retention (issue 10): policies (seeded from privacy notice 1.1.0), enforcement approvals,
-- signed attestations (append-only, like the access log).
CREATE TABLE "RetentionPolicy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scope" TEXT NOT NULL,
    "retentionClass" TEXT NOT NULL,
    "periodDays" INTEGER NOT NULL,
    "noticeVersion" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "proposedById" TEXT,
    "approvedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approvedAt" TIMESTAMP(3)
);
CREATE INDEX "RetentionPolicy_scope_retentionClass_state_idx" ON "RetentionPolicy"("scope", "retentionClass", "state");

CREATE TABLE "RetentionEnforcement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceKey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "approvedById" TEXT,
    "approvedAt" TIMESTAMP(3),
    "executedAt" TIMESTAMP(3),
    "attestationId" TEXT,
    "result" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "RetentionEnforcement_sourceKey_state_idx" ON "RetentionEnforcement"("sourceKey", "state");

CREATE TABLE "RetentionAttestation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "operatorLabel" TEXT NOT NULL,
    "accessLogSeq" INTEGER,
    "payload" TEXT NOT NULL,
    "payloadSha256" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "overdue" BOOLEAN NOT NULL,
    "findings" INTEGER NOT NULL
);
CREATE UNIQUE INDEX "RetentionAttestation_payloadSha256_key" ON "RetentionAttestation"("payloadSha256");
CREATE TRIGGER "RetentionAttestation_append_only" BEFORE UPDATE OR DELETE ON "RetentionAttestation" FOR EACH ROW EXECUTE FUNCTION custodian_append_only();
CREATE TRIGGER "RetentionAttestation_no_truncate" BEFORE TRUNCATE ON "RetentionAttestation" FOR EACH STATEMENT EXECUTE FUNCTION custodian_append_only();

-- The notice's promises (3.2.2, 3.9), as the default policy every source starts from.
INSERT INTO "RetentionPolicy" ("id", "scope", "retentionClass", "periodDays", "noticeVersion", "state", "reason", "approvedAt") VALUES
    ('seed-notice-lookup', 'default', 'lookup', 7, '1.1.0', 'active', 'Privacy notice 1.1.0, 3.2.2: looked-up 3PIDs in application logs at most 7 days', CURRENT_TIMESTAMP),
    ('seed-notice-haproxy', 'default', 'haproxy', 60, '1.1.0', 'active', 'Privacy notice 1.1.0, 3.2.2: HAProxy logs up to 60 days', CURRENT_TIMESTAMP),
    ('seed-notice-application', 'default', 'application', 60, '1.1.0', 'active', 'Privacy notice 1.1.0, 3.9: application logs (caller IP, user agent) at most 60 days', CURRENT_TIMESTAMP),
    ('seed-notice-connection', 'default', 'connection', 180, '1.1.0', 'active', 'Privacy notice 1.1.0, 3.2.2: connection information (IP addresses) at most 180 days', CURRENT_TIMESTAMP);
