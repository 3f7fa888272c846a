-- The card's velocity count (card_spend_sums' second branch) reads a card's approved originals of
-- the last minute. Two indexes could serve the two sums, and the planner, whose statistics still
-- described a small table while bench:card-auth filled it, took the wrong one for either (PostgreSQL
-- 18's skip scan makes both look usable): the velocity count read the account index over every
-- account's rows of that minute and filtered the card (about 2,700 rows read for 5 counted), and with
-- a partial card index instead, the window sums read that one and filtered the account (about 2,000
-- for 5); either way most of the run's database time (auto_explain). A card never changes account,
-- so the count now names the card's account too, and one index serves both sums whatever the
-- statistics say: the account's approved originals of the window, or of the minute, filtered by card.
-- Nothing else reads card_authorizations by card.
drop index card_authorizations_by_card;

-- A control without a rolling window sends no window start (null): it has nothing to sum. Its plan
-- is made on each call, as migration 1460 set.
create or replace function card_spend_sums(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable set plan_cache_mode = force_custom_plan as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.since, x.windows
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, since timestamptz, windows jsonb)
  )
  select q.i, (w.k - 1)::int, s.debits, s.credits
  from q
  cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
  cross join lateral (
    select coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0)::int8 as debits,
      coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0)::int8 as credits
    from card_authorizations m
    where m.workspace_id = q.w and m.account_id = q.a
      and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= w.start::timestamptz) as s
  where w.start is not null
  union all
  select q.i, -1,
    (select count(*) from card_authorizations m where m.workspace_id = q.w and m.account_id = q.a
      and m.card_id = q.c and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= q.since)::int8,
    0::int8
  from q
$$;
