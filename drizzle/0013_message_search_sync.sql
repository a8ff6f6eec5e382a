-- Keeps message_search (db/schema/search.ts) current from messages itself, so every writer —
-- a chat turn, a streaming answer's partial saves, crash recovery, a restore — is indexed
-- without having to remember to. A message is indexed while it has text and is not deleted.
CREATE OR REPLACE FUNCTION arbor_index_message() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL OR NEW.content = '' THEN
    DELETE FROM message_search WHERE message_id = NEW.id;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.content = OLD.content AND OLD.deleted_at IS NULL AND OLD.content <> '' THEN
    RETURN NULL;
  END IF;
  INSERT INTO message_search (message_id, project_id, chat_id, tsv, created_at)
    SELECT NEW.id, c.project_id, NEW.chat_id, to_tsvector('english', NEW.content), NEW.created_at
    FROM chats c WHERE c.id = NEW.chat_id
  ON CONFLICT (message_id) DO UPDATE SET tsv = excluded.tsv;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER messages_search_sync
  AFTER INSERT OR UPDATE OF content, deleted_at ON messages
  FOR EACH ROW EXECUTE FUNCTION arbor_index_message();
--> statement-breakpoint
-- Messages written before this migration.
INSERT INTO message_search (message_id, project_id, chat_id, tsv, created_at)
  SELECT m.id, c.project_id, m.chat_id, to_tsvector('english', m.content), m.created_at
  FROM messages m JOIN chats c ON c.id = m.chat_id
  WHERE m.deleted_at IS NULL AND m.content <> ''
ON CONFLICT (message_id) DO NOTHING;
