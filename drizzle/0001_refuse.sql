-- A statement that must write all or nothing aborts itself through this function when one of
-- its own checks refuses (server/chat/turns.ts: a chat turn and its budget hold are one
-- statement, so no transaction round trips sit before the first token). The message carries
-- the reason for the caller to explain; every write of the statement is undone with it.
CREATE OR REPLACE FUNCTION arbor_refuse(reason text) RETURNS boolean
  LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'arbor_refused:' || reason;
END
$$;
