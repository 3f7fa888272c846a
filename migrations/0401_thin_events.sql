-- Events that name their resource instead of carrying it, and webhook fan-out once per statement.
--
-- Every posted transfer wrote two events, each with its resource in full (≈1.5 KB of jsonb): in a
-- group-committed batch they cost PostgreSQL more than the transfer, its entries and the balance
-- updates together (parsing, WAL), and Node the building and serializing. A posted transfer never
-- changes again, so its views can be rendered from the ledger rows whenever an event is read, and
-- be exactly what they were when it was written. Such an event stores `resource_view`, the name of
-- the registered view that renders it (src/platform/events.ts), and no resource. Events whose
-- resource can still change (a pending hold, an account) carry it in full as before. A wipe, which
-- keeps events but deletes the ledger rows, renders the views into the events first.
alter table events alter column resource drop not null;
alter table events add column resource_view text;
alter table events add constraint events_resource_or_view check ((resource is null) <> (resource_view is null));

-- Events are written by the domains inside transactions that have just read or locked rows of the
-- same workspace; a per-row foreign key check cost more than the row's own insert.
alter table events drop constraint events_workspace_id_fkey;

-- The fan-out trigger ran once per event row; a batch of transfers inserts hundreds of events in
-- one statement, so it now runs once per statement over the statement's new rows. Same rule: the
-- delivery rows are written in the event's transaction, or not at all.
drop trigger events_webhook_fan_out on events;
drop function webhook_fan_out();
create function webhook_fan_out() returns trigger language plpgsql as $$
begin
  insert into webhook_deliveries (workspace_id, webhook_id, event_id, status, next_attempt_at)
  select e.workspace_id, w.id, e.id, 'RUNNING', '-infinity'
  from new_events e
  join webhooks w on w.workspace_id = e.workspace_id and w.deleted_at is null and w.is_enabled
  where webhook_subscription_matches(w.enabled_events, e.type);
  if found then
    perform pg_notify('keel_webhook_deliveries', '');
  end if;
  return null;
end
$$;
create trigger events_webhook_fan_out after insert on events
  referencing new table as new_events
  for each statement execute function webhook_fan_out();
