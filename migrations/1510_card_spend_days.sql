-- Each account's approved card spend by day (UTC), kept with the authorizations, so that a rolling
-- spend-control window is summed from at most one row per day instead of from every authorization
-- in it. card_spend_sums read every approved authorization of the account since the window's start
-- for each authorization decided: an account spending a few hundred times in a 31-day window read a
-- few hundred rows to decide each one, and the cost grew with the account's activity.
--
-- A window from `start` is now the days after start's day, from here, and the authorizations of
-- start's own day from start on, from card_authorizations (card_spend_sums below). Exact: each
-- approved original authorization counts in the day of its created_at, with its net_amount as it
-- stands. An authorization's state and original_id never change after it is written; its
-- net_amount does, and the triggers below apply each change to its day in the same statement.
create table card_spend_days (
  workspace_id uuid not null,
  account_id uuid not null,
  day date not null,
  debits int8 not null,
  credits int8 not null,
  primary key (workspace_id, account_id, day)
);

insert into card_spend_days (workspace_id, account_id, day, debits, credits)
select workspace_id, account_id, (created_at at time zone 'UTC')::date,
  coalesce(sum(net_amount) filter (where direction = 'DEBITS'), 0), coalesce(sum(net_amount) filter (where direction = 'CREDITS'), 0)
from card_authorizations where original_id is null and state <> 'DECLINED'
group by 1, 2, 3;

-- Adds each statement's changes to their days, in key order (two transactions meeting on the same
-- days take their locks in the same order). Its statements read only the statement's own rows and
-- write through the primary key, so they keep one plan per connection (a ledger batch plans its
-- own statements afresh, and its setting would apply here too).
create function card_spend_days_add() returns trigger language plpgsql set plan_cache_mode = force_generic_plan as $$
begin
  if tg_op = 'INSERT' then
    insert into card_spend_days (workspace_id, account_id, day, debits, credits)
    select n.workspace_id, n.account_id, (n.created_at at time zone 'UTC')::date,
      coalesce(sum(n.net_amount) filter (where n.direction = 'DEBITS'), 0), coalesce(sum(n.net_amount) filter (where n.direction = 'CREDITS'), 0)
    from new_rows n where n.original_id is null and n.state <> 'DECLINED'
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (workspace_id, account_id, day) do update
      set debits = card_spend_days.debits + excluded.debits, credits = card_spend_days.credits + excluded.credits;
  else
    insert into card_spend_days (workspace_id, account_id, day, debits, credits)
    select n.workspace_id, n.account_id, (n.created_at at time zone 'UTC')::date,
      coalesce(sum(n.net_amount - o.net_amount) filter (where n.direction = 'DEBITS'), 0),
      coalesce(sum(n.net_amount - o.net_amount) filter (where n.direction = 'CREDITS'), 0)
    from new_rows n join old_rows o on o.workspace_id = n.workspace_id and o.id = n.id
    where n.original_id is null and n.state <> 'DECLINED' and n.net_amount <> o.net_amount
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (workspace_id, account_id, day) do update
      set debits = card_spend_days.debits + excluded.debits, credits = card_spend_days.credits + excluded.credits;
  end if;
  return null;
end
$$;

create trigger card_spend_days_on_insert after insert on card_authorizations
  referencing new table as new_rows for each statement execute function card_spend_days_add();
create trigger card_spend_days_on_update after update on card_authorizations
  referencing old table as old_rows new table as new_rows for each statement execute function card_spend_days_add();

-- The same sums as migration 1470's, the windows now from the days. The velocity count (the card's
-- approved originals of the last minute) still reads its rows.
create or replace function card_spend_sums(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable set plan_cache_mode = force_custom_plan as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.since, x.windows
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, since timestamptz, windows jsonb)
  )
  select q.i, (w.k - 1)::int, coalesce(days.debits, 0) + coalesce(first_day.debits, 0), coalesce(days.credits, 0) + coalesce(first_day.credits, 0)
  from q
  cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
  cross join lateral (select w.start::timestamptz as at, (w.start::timestamptz at time zone 'UTC')::date as day) as s
  cross join lateral (
    select sum(d.debits)::int8 as debits, sum(d.credits)::int8 as credits
    from card_spend_days d
    where d.workspace_id = q.w and d.account_id = q.a and d.day > s.day) as days
  cross join lateral (
    select sum(m.net_amount) filter (where m.direction = 'DEBITS')::int8 as debits,
      sum(m.net_amount) filter (where m.direction = 'CREDITS')::int8 as credits
    from card_authorizations m
    where m.workspace_id = q.w and m.account_id = q.a and m.original_id is null and m.state <> 'DECLINED'
      and m.created_at >= s.at and m.created_at < (s.day + 1)::timestamp at time zone 'UTC') as first_day
  where w.start is not null
  union all
  select q.i, -1,
    (select count(*) from card_authorizations m where m.workspace_id = q.w and m.account_id = q.a
      and m.card_id = q.c and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= q.since)::int8,
    0::int8
  from q
$$;
