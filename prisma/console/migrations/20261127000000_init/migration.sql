-- Custodian console database, SQLite. Mirrors prisma/console/schema.prisma.
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "totpSecretEnc" TEXT,
    "totpEnrolledAt" DATETIME,
    "enrolTokenHash" TEXT,
    "enrolTokenExpires" DATETIME,
    "disabledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "Staff_email_key" ON "Staff"("email");
CREATE UNIQUE INDEX "Staff_enrolTokenHash_key" ON "Staff"("enrolTokenHash");

CREATE TABLE "RecoveryCode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "staffId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RecoveryCode_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "RecoveryCode_staffId_idx" ON "RecoveryCode"("staffId");

CREATE TABLE "StaffSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "staffId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "ip" TEXT,
    "userAgent" TEXT,
    CONSTRAINT "StaffSession_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "StaffSession_staffId_idx" ON "StaffSession"("staffId");

CREATE TABLE "LoginAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "success" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "LoginAttempt_email_createdAt_idx" ON "LoginAttempt"("email", "createdAt");
CREATE INDEX "LoginAttempt_ip_createdAt_idx" ON "LoginAttempt"("ip", "createdAt");

CREATE TABLE "IdentityServer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "label" TEXT NOT NULL,
    "serverName" TEXT NOT NULL,
    "dbPath" TEXT NOT NULL,
    "sydentLogPaths" TEXT NOT NULL DEFAULT '[]',
    "haproxyLogPaths" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "disabledAt" DATETIME
);
CREATE UNIQUE INDEX "IdentityServer_label_key" ON "IdentityServer"("label");
CREATE UNIQUE INDEX "IdentityServer_serverName_key" ON "IdentityServer"("serverName");

CREATE TABLE "AccessLogEntry" (
    "seq" INTEGER NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetPseudonym" TEXT,
    "targetRef" TEXT,
    "requestId" TEXT,
    "purpose" TEXT,
    "outcome" TEXT NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "details" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);
CREATE UNIQUE INDEX "AccessLogEntry_hash_key" ON "AccessLogEntry"("hash");
CREATE INDEX "AccessLogEntry_at_idx" ON "AccessLogEntry"("at");
CREATE INDEX "AccessLogEntry_actorId_idx" ON "AccessLogEntry"("actorId");
CREATE INDEX "AccessLogEntry_action_idx" ON "AccessLogEntry"("action");
CREATE INDEX "AccessLogEntry_targetPseudonym_idx" ON "AccessLogEntry"("targetPseudonym");
CREATE INDEX "AccessLogEntry_requestId_idx" ON "AccessLogEntry"("requestId");

-- The access log is append-only: the database itself refuses UPDATE and DELETE.
CREATE TRIGGER "AccessLogEntry_no_update" BEFORE UPDATE ON "AccessLogEntry"
BEGIN SELECT RAISE(ABORT, 'AccessLogEntry is append-only: UPDATE refused'); END;
CREATE TRIGGER "AccessLogEntry_no_delete" BEFORE DELETE ON "AccessLogEntry"
BEGIN SELECT RAISE(ABORT, 'AccessLogEntry is append-only: DELETE refused'); END;

CREATE TABLE "AccessLogHead" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL
);
INSERT INTO "AccessLogHead" ("id", "seq", "hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE "AccessLogCheckpoint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "sealedAt" DATETIME NOT NULL,
    "keyId" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "sealedBy" TEXT NOT NULL
);
CREATE TRIGGER "AccessLogCheckpoint_no_update" BEFORE UPDATE ON "AccessLogCheckpoint"
BEGIN SELECT RAISE(ABORT, 'AccessLogCheckpoint is append-only: UPDATE refused'); END;
CREATE TRIGGER "AccessLogCheckpoint_no_delete" BEFORE DELETE ON "AccessLogCheckpoint"
BEGIN SELECT RAISE(ABORT, 'AccessLogCheckpoint is append-only: DELETE refused'); END;

CREATE TABLE "Request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "requesterName" TEXT NOT NULL,
    "requesterContact" TEXT NOT NULL,
    "identification" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "receivedAt" DATETIME NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "extendedDueAt" DATETIME,
    "extensionReason" TEXT,
    "assigneeId" TEXT,
    "createdById" TEXT NOT NULL,
    "closedAt" DATETIME,
    "outcome" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "Request_reference_key" ON "Request"("reference");
CREATE INDEX "Request_state_idx" ON "Request"("state");
CREATE INDEX "Request_type_idx" ON "Request"("type");
CREATE INDEX "Request_dueAt_idx" ON "Request"("dueAt");
CREATE INDEX "Request_assigneeId_idx" ON "Request"("assigneeId");
