-- Witnessed access log: checkpoints become RFC 6962 signed tree heads (root), a cache of complete
-- Merkle subtrees, and inserts that can only append. INSERT OR REPLACE deletes the conflicting
-- row without firing DELETE triggers, so inserts themselves must refuse anything but the next seq.
ALTER TABLE "AccessLogCheckpoint" ADD COLUMN "root" TEXT;

CREATE TABLE "AccessLogTreeNode" (
    "level" INTEGER NOT NULL,
    "idx" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    PRIMARY KEY ("level", "idx")
);

CREATE TRIGGER "AccessLogEntry_next_seq_only" BEFORE INSERT ON "AccessLogEntry"
WHEN NEW."seq" IS NOT (SELECT "seq" FROM "AccessLogHead" WHERE "id" = 1)
  OR EXISTS (SELECT 1 FROM "AccessLogEntry" WHERE "seq" = NEW."seq" OR "hash" = NEW."hash")
BEGIN SELECT RAISE(ABORT, 'AccessLogEntry is append-only: only the next seq may be inserted'); END;

CREATE TRIGGER "AccessLogCheckpoint_next_only" BEFORE INSERT ON "AccessLogCheckpoint"
WHEN NEW."seq" IS NOT (SELECT "seq" FROM "AccessLogHead" WHERE "id" = 1)
  OR EXISTS (SELECT 1 FROM "AccessLogCheckpoint" WHERE "id" = NEW."id" OR "seq" >= NEW."seq")
BEGIN SELECT RAISE(ABORT, 'AccessLogCheckpoint is append-only: only a checkpoint at the head may be inserted'); END;

-- Tree nodes are a cache: a second insert of the same node is silently ignored (never replaced).
CREATE TRIGGER "AccessLogTreeNode_keep_first" BEFORE INSERT ON "AccessLogTreeNode"
WHEN EXISTS (SELECT 1 FROM "AccessLogTreeNode" WHERE "level" = NEW."level" AND "idx" = NEW."idx")
BEGIN SELECT RAISE(IGNORE); END;
CREATE TRIGGER "AccessLogTreeNode_no_update" BEFORE UPDATE ON "AccessLogTreeNode"
BEGIN SELECT RAISE(ABORT, 'AccessLogTreeNode is append-only: UPDATE refused'); END;
CREATE TRIGGER "AccessLogTreeNode_no_delete" BEFORE DELETE ON "AccessLogTreeNode"
BEGIN SELECT RAISE(ABORT, 'AccessLogTreeNode is append-only: DELETE refused'); END;
