-- Recorded privacy-notice versions (issue 10): each version's retention limit per log class, the
-- sections promising them, the SHA-256 of its text, who proposed and who approved it. Retention
-- policies are checked against the limits of the approved version in force.
CREATE TABLE "PrivacyNoticeVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "version" TEXT NOT NULL,
    "effectiveFrom" TIMESTAMP(3) NOT NULL,
    "limits" TEXT NOT NULL,
    "sections" TEXT NOT NULL,
    "textSha256" TEXT,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "proposedById" TEXT,
    "proposedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approvedById" TEXT,
    "approvedAt" TIMESTAMP(3),
    "rejectedById" TEXT,
    "rejectedAt" TIMESTAMP(3),
    "rejectReason" TEXT
);
CREATE UNIQUE INDEX "PrivacyNoticeVersion_version_key" ON "PrivacyNoticeVersion"("version");
CREATE INDEX "PrivacyNoticeVersion_state_effectiveFrom_idx" ON "PrivacyNoticeVersion"("state", "effectiveFrom");

-- A recorded version is never deleted; a decided one (approved, rejected) never changes; a
-- proposal is approved or rejected exactly as it was proposed.
CREATE FUNCTION custodian_notice_as_proposed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'PrivacyNoticeVersion: a recorded notice version is never deleted';
  END IF;
  IF OLD."state" <> 'proposed' OR NEW."state" NOT IN ('proposed', 'approved', 'rejected')
    OR NEW."id" IS DISTINCT FROM OLD."id" OR NEW."version" IS DISTINCT FROM OLD."version" OR NEW."effectiveFrom" IS DISTINCT FROM OLD."effectiveFrom"
    OR NEW."limits" IS DISTINCT FROM OLD."limits" OR NEW."sections" IS DISTINCT FROM OLD."sections" OR NEW."textSha256" IS DISTINCT FROM OLD."textSha256"
    OR NEW."reason" IS DISTINCT FROM OLD."reason" OR NEW."proposedById" IS DISTINCT FROM OLD."proposedById" OR NEW."proposedAt" IS DISTINCT FROM OLD."proposedAt" THEN
    RAISE EXCEPTION 'PrivacyNoticeVersion: a decided notice version, or what a proposal says, is never changed';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "PrivacyNoticeVersion_as_proposed" BEFORE UPDATE OR DELETE ON "PrivacyNoticeVersion" FOR EACH ROW EXECUTE FUNCTION custodian_notice_as_proposed();
CREATE TRIGGER "PrivacyNoticeVersion_no_truncate" BEFORE TRUNCATE ON "PrivacyNoticeVersion" FOR EACH STATEMENT EXECUTE FUNCTION custodian_append_only();

-- The built-in version: shared/seed/privacy-notice.md, version 1.1.0 (its promises 3.2.2 and
-- 3.9, as NOTICES held them in code). Its document history gives no date for 1.1.0: recorded as
-- in effect from 1.0.0's date. The SHA-256 is of that file's text.
INSERT INTO "PrivacyNoticeVersion" ("id", "version", "effectiveFrom", "limits", "sections", "textSha256", "reason", "state", "proposedAt", "approvedAt") VALUES
    ('seed-notice-1.1.0', '1.1.0', '2019-07-23 00:00:00',
     '{"lookup":7,"haproxy":60,"application":60,"connection":180}',
     '{"lookup":"3.2.2","haproxy":"3.2.2","application":"3.9","connection":"3.2.2"}',
     '52dba89b5676f139eee900aba73ebbef078919b979e273c7ba8afcf2d658973a',
     'Built in: shared/seed/privacy-notice.md version 1.1.0 (3.2.2: lookups 7 days, HAProxy 60, connection IPs 180; 3.9: application logs 60). The notice gives no date for 1.1.0; recorded as in effect from 1.0.0''s date, 2019-07-23.',
     'approved', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
