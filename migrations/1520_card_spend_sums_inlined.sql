-- card_spend_activity (migration 1250) took each named account's spend lock, then read the sums
-- through card_spend_sums, a SQL function with a setting of its own (migration 1460), which is never
-- inlined: its query was planned anew on every call. Measured alone on bench:card-auth's data, a call
-- for 14 messages took 1.5 ms, 0.45 ms of it planning; under the bench's load, 2.3 ms a call.
--
-- A ledger batch now takes the locks and reads the sums in two statements of its first round trip
-- (src/card-authorization/store.ts, lockedActivity). Under READ COMMITTED each statement reads with a
-- snapshot taken when it starts, so the read still sees every approval committed by a batch that held
-- one of the locks before, as the function's second statement did. The batch runs on a keyed session
-- (src/platform/db.ts, connectKeyed), whose plans are kept and renewed as its tables grow: without its
-- setting, card_spend_sums is inlined into the batch's statement and runs on that plan.
--
-- A read outside a batch, on an ordinary connection, calls card_spend_sums_planned, which keeps
-- migration 1460's setting: planned for the table as it is on every call.
alter function card_spend_sums(jsonb) reset plan_cache_mode;

create function card_spend_sums_planned(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable set plan_cache_mode = force_custom_plan as $$
  select s.i, s.k, s.debits, s.credits from card_spend_sums(queries) as s
$$;

drop function card_spend_activity(jsonb);
