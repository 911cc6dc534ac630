-- Witnessed access log: checkpoints become RFC 6962 signed tree heads (root), a cache of complete
-- Merkle subtrees, and inserts that can only append (the next seq; a checkpoint at the head).
ALTER TABLE "AccessLogCheckpoint" ADD COLUMN "root" TEXT;

CREATE TABLE "AccessLogTreeNode" (
    "level" INTEGER NOT NULL,
    "idx" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "AccessLogTreeNode_pkey" PRIMARY KEY ("level", "idx")
);

CREATE FUNCTION custodian_next_seq_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."seq" IS DISTINCT FROM (SELECT "seq" FROM "AccessLogHead" WHERE "id" = 1) THEN
    RAISE EXCEPTION '% is append-only: only the next seq may be inserted (got %)', TG_TABLE_NAME, NEW."seq";
  END IF;
  IF TG_TABLE_NAME = 'AccessLogCheckpoint' AND EXISTS (SELECT 1 FROM "AccessLogCheckpoint" WHERE "seq" >= NEW."seq") THEN
    RAISE EXCEPTION 'AccessLogCheckpoint is append-only: a checkpoint at seq % or later exists', NEW."seq";
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "AccessLogEntry_next_seq_only" BEFORE INSERT ON "AccessLogEntry" FOR EACH ROW EXECUTE FUNCTION custodian_next_seq_only();
CREATE TRIGGER "AccessLogCheckpoint_next_only" BEFORE INSERT ON "AccessLogCheckpoint" FOR EACH ROW EXECUTE FUNCTION custodian_next_seq_only();
CREATE TRIGGER "AccessLogTreeNode_append_only" BEFORE UPDATE OR DELETE ON "AccessLogTreeNode" FOR EACH ROW EXECUTE FUNCTION custodian_append_only();
CREATE TRIGGER "AccessLogTreeNode_no_truncate" BEFORE TRUNCATE ON "AccessLogTreeNode" FOR EACH STATEMENT EXECUTE FUNCTION custodian_append_only();
