-- The checks a batch decided from memory sends with its writes raise through one function,
-- expect_none (migration 1590), where each had its own copy of the same few lines:
-- - the card rail's spend windows (card_spend_expect_within, migration 1550; SQLSTATE KS001, the
--   caller's now: src/card-authorization/store.ts, expectSpendWithin);
-- - the Idempotency-Keys being free (idempotency_keys_expect_free, migrations 1540 and 1580;
--   SQLSTATE KI001). What it counts stays a function of its own, idempotency_keys_taken, with the
--   same locks taken in the same order: the caller hands its count to expect_none
--   (src/platform/idempotency.ts, expectKeysFree).
-- PL/pgSQL, as before: its statement keeps one plan per session, where a SQL function's is made
-- again on every call before PostgreSQL 18.
create function idempotency_keys_taken(workspace_ids uuid[], keys text[]) returns bigint
language plpgsql as $$
begin
  -- Each key's outcome looked up by its primary key (a lateral join): written as "or exists (…)",
  -- PostgreSQL made it a hashed subplan that read every stored outcome on every call. The keys come
  -- from unnest in a subquery's select list (migration 1580).
  return (select count(*)
    from (select unnest(workspace_ids) as w, unnest(keys) as k) as x
    left join lateral (select true as found from idempotency_keys i where i.workspace_id = x.w and i.key = x.k) as s on true
    where not pg_try_advisory_xact_lock(hashtextextended(x.w::text || '/' || x.k, 0)) or s.found);
end
$$;

drop function idempotency_keys_expect_free(uuid[], text[]);
drop function card_spend_expect_within(bigint);
