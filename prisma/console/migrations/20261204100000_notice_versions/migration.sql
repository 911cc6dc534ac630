-- Recorded privacy-notice versions (issue 10): each version's retention limit per log class, the
-- sections promising them, the SHA-256 of its text, who proposed and who approved it. Retention
-- policies are checked against the limits of the approved version in force.
CREATE TABLE "PrivacyNoticeVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "version" TEXT NOT NULL,
    "effectiveFrom" DATETIME NOT NULL,
    "limits" TEXT NOT NULL,
    "sections" TEXT NOT NULL,
    "textSha256" TEXT,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "proposedById" TEXT,
    "proposedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approvedById" TEXT,
    "approvedAt" DATETIME,
    "rejectedById" TEXT,
    "rejectedAt" DATETIME,
    "rejectReason" TEXT
);
CREATE UNIQUE INDEX "PrivacyNoticeVersion_version_key" ON "PrivacyNoticeVersion"("version");
CREATE INDEX "PrivacyNoticeVersion_state_effectiveFrom_idx" ON "PrivacyNoticeVersion"("state", "effectiveFrom");

-- A recorded version is never deleted; a decided one (approved, rejected) never changes; a
-- proposal is approved or rejected exactly as it was proposed.
CREATE TRIGGER "PrivacyNoticeVersion_no_delete" BEFORE DELETE ON "PrivacyNoticeVersion"
BEGIN SELECT RAISE(ABORT, 'PrivacyNoticeVersion: a recorded notice version is never deleted'); END;
CREATE TRIGGER "PrivacyNoticeVersion_as_proposed" BEFORE UPDATE ON "PrivacyNoticeVersion"
WHEN OLD."state" <> 'proposed' OR NEW."state" NOT IN ('proposed', 'approved', 'rejected')
  OR NEW."id" IS NOT OLD."id" OR NEW."version" IS NOT OLD."version" OR NEW."effectiveFrom" IS NOT OLD."effectiveFrom"
  OR NEW."limits" IS NOT OLD."limits" OR NEW."sections" IS NOT OLD."sections" OR NEW."textSha256" IS NOT OLD."textSha256"
  OR NEW."reason" IS NOT OLD."reason" OR NEW."proposedById" IS NOT OLD."proposedById" OR NEW."proposedAt" IS NOT OLD."proposedAt"
BEGIN SELECT RAISE(ABORT, 'PrivacyNoticeVersion: a decided notice version, or what a proposal says, is never changed'); END;

-- The built-in version: shared/seed/privacy-notice.md, version 1.1.0 (its promises 3.2.2 and
-- 3.9, as NOTICES held them in code). Its document history gives no date for 1.1.0: recorded as
-- in effect from 1.0.0's date. The SHA-256 is of that file's text.
INSERT INTO "PrivacyNoticeVersion" ("id", "version", "effectiveFrom", "limits", "sections", "textSha256", "reason", "state", "proposedAt", "approvedAt") VALUES
    ('seed-notice-1.1.0', '1.1.0', '2019-07-23T00:00:00.000+00:00',
     '{"lookup":7,"haproxy":60,"application":60,"connection":180}',
     '{"lookup":"3.2.2","haproxy":"3.2.2","application":"3.9","connection":"3.2.2"}',
     '52dba89b5676f139eee900aba73ebbef078919b979e273c7ba8afcf2d658973a',
     'Built in: shared/seed/privacy-notice.md version 1.1.0 (3.2.2: lookups 7 days, HAProxy 60, connection IPs 180; 3.9: application logs 60). The notice gives no date for 1.1.0; recorded as in effect from 1.0.0''s date, 2019-07-23.',
     'approved', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
