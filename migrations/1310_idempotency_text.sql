-- Idempotency-Key outcomes are written for every keyed request, in the request's own transaction
-- (a ledger batch writes a few dozen in one statement). Two costs go:
-- - the per-row foreign key check to workspaces (0401 dropped the events' for the same reason; a
--   workspace is never deleted, and every key is written under its API key's workspace);
-- - jsonb: the response is stored as the exact text that was sent, neither parsed into jsonb on
--   the way in nor printed back out of it on a replay.
alter table idempotency_keys drop constraint idempotency_keys_workspace_id_fkey;
alter table idempotency_keys alter column response_body type text using response_body::text;
