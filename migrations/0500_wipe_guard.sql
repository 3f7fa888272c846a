-- POST /v0/wipe renders the events stored by view (0401) and then deletes the rows they render
-- from. A change of the same workspace committing in between would leave its event without a
-- resource. Every change writes an event in its own transaction, so inserting events takes a
-- shared, transaction-scoped advisory lock on the workspace, and a wipe takes the same lock
-- exclusively: it waits for changes that wrote their events, and changes wait for it.
-- Once per statement, not per row: the ledger inserts a batch's events in one statement, and
-- 0401 dropped the per-row foreign key check to workspaces because it cost more than the insert.
-- The lock's first key names this use (see src/platform/wipe.ts).
create function events_workspace_share_lock() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock_shared(1262832972, hashtext(w::text))
  from (select distinct workspace_id as w from inserted order by 1) s;
  return null;
end $$;

create trigger events_workspace_share_lock after insert on events
  referencing new table as inserted for each statement execute function events_workspace_share_lock();
