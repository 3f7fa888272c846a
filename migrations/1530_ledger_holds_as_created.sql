-- A hold's TRANSACTION.PENDING.CREATED event shows the pending transaction as it was made. The event
-- used to carry that resource (about 1.5 KB of JSON, rendered in the server and parsed into jsonb
-- in the batch's transaction, for every card authorization). It now names a view that renders it
-- from the hold and its record when the event is read, as the other ledger events do
-- (src/platform/events.ts, src/transfers/routes.ts). What a hold was made with that later changes
-- overwrite is kept here: the balances it saw. Its amount as made is its record's; it was PENDING,
-- nothing captured, last updated when made, and its expiry never changes.
--
-- Written once, with the hold (src/ledger/store.ts, insertHolds), and never updated. Null for holds
-- made before this migration: their events carry their resource.
alter table ledger_holds
  add column created_posted_after int8,
  add column created_available_after int8;
