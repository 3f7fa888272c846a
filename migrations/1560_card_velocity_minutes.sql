-- Each card's approvals by minute (UTC), kept with the authorizations, so that the velocity count
-- (a card's approved originals of the last minute, decide.ts) reads at most two rows of counts and
-- the authorizations of one partial minute, instead of every approval of the minute. Before this,
-- every authorization decided read each approval its card had in the last 60 s: an index entry and
-- a row apiece, so the check cost most for a card used most, which is the card the check is there
-- for. In bench:card-auth (two authorizations a second on each card) it was most of the batch
-- check's time and buffers (EXPLAIN ANALYZE on the bench's kept data: 428 of 482 buffers for a
-- batch of 9).
--
-- Exact, as card_spend_days is: an approved original counts in the minute of its created_at, and
-- its state and original_id never change after it is written, so a minute only ever grows, by the
-- trigger below in the statement that inserts.
create table card_velocity_minutes (
  workspace_id uuid not null,
  card_id uuid not null,
  minute timestamp not null,
  approvals int4 not null,
  primary key (workspace_id, card_id, minute)
);

insert into card_velocity_minutes (workspace_id, card_id, minute, approvals)
select workspace_id, card_id, date_trunc('minute', created_at at time zone 'UTC'), count(*)
from card_authorizations where original_id is null and state <> 'DECLINED'
group by 1, 2, 3;

-- In key order, as card_spend_days_add takes its days: two transactions meeting on the same minutes
-- take their locks in the same order.
create function card_velocity_minutes_add() returns trigger language plpgsql set plan_cache_mode = force_generic_plan as $$
begin
  insert into card_velocity_minutes (workspace_id, card_id, minute, approvals)
  select n.workspace_id, n.card_id, date_trunc('minute', n.created_at at time zone 'UTC'), count(*)
  from new_rows n where n.original_id is null and n.state <> 'DECLINED'
  group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, card_id, minute) do update set approvals = card_velocity_minutes.approvals + excluded.approvals;
  return null;
end
$$;

create trigger card_velocity_minutes_on_insert after insert on card_authorizations
  referencing new table as new_rows for each statement execute function card_velocity_minutes_add();

-- The sums of migration 1510, the velocity count now from the minutes: those after the minute of
-- `since`, and the authorizations of that minute from `since` on.
create or replace function card_spend_sums(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable as $$
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
  select q.i, -1, (minutes.approvals + first_minute.approvals)::int8, 0::int8
  from q
  cross join lateral (select date_trunc('minute', q.since at time zone 'UTC') as minute) as s
  cross join lateral (
    select coalesce(sum(v.approvals), 0) as approvals
    from card_velocity_minutes v
    where v.workspace_id = q.w and v.card_id = q.c and v.minute > s.minute) as minutes
  cross join lateral (
    select count(*) as approvals
    from card_authorizations m
    where m.workspace_id = q.w and m.account_id = q.a and m.card_id = q.c and m.original_id is null and m.state <> 'DECLINED'
      and m.created_at >= q.since and m.created_at < (s.minute + interval '1 minute') at time zone 'UTC') as first_minute
$$;

-- The check of a batch decided from memory (migration 1550, expectSpendWithin): which messages'
-- figures are over their bounds, by message `i` and window `k` (-1: the card's count), as
-- card_spend_sums numbers them. `bound_most` holds, `bound_stride` slots a message, the most the
-- count may be, then the most each window may hold in the message's direction
-- (`bound_directions`, by message); null for any.
--
-- Each figure is first bounded from above by whole days and minutes alone (the first day or minute
-- counted whole), which reads no authorization: a window or count within its bound so is within it.
-- Only a figure whose bound that does not show is summed exactly, as card_spend_sums sums it (CASE
-- evaluates its branches lazily, so their subqueries run only then).
create function card_spend_over(queries jsonb, bound_directions text[], bound_most int8[], bound_stride int4) returns table (i int, k int)
language sql stable as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.since, x.windows,
      case when bound_directions[x.i + 1] = 'CREDITS' then 'CREDITS' else 'DEBITS' end as direction
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, since timestamptz, windows jsonb)
  ),
  figures as (
    select q.i, (w.k - 1)::int as k, q.w, q.a, q.c, q.direction, w.start::timestamptz as at,
      (w.start::timestamptz at time zone 'UTC')::date as day, null::timestamp as minute,
      bound_most[q.i * bound_stride + w.k + 1] as most
    from q cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
    where w.start is not null
    union all
    select q.i, -1, q.w, q.a, q.c, q.direction, q.since, null::date, date_trunc('minute', q.since at time zone 'UTC'),
      bound_most[q.i * bound_stride + 1]
    from q
  )
  select f.i, f.k from figures f
  where f.most is not null and case
    when f.k >= 0 and (
        select coalesce(sum(case when f.direction = 'CREDITS' then d.credits else d.debits end), 0)
        from card_spend_days d where d.workspace_id = f.w and d.account_id = f.a and d.day >= f.day) <= f.most then false
    when f.k >= 0 then (
        select coalesce(sum(case when f.direction = 'CREDITS' then d.credits else d.debits end), 0)
        from card_spend_days d where d.workspace_id = f.w and d.account_id = f.a and d.day > f.day)
      + (select coalesce(sum(m.net_amount), 0)
        from card_authorizations m
        where m.workspace_id = f.w and m.account_id = f.a and m.original_id is null and m.state <> 'DECLINED' and m.direction = f.direction
          and m.created_at >= f.at and m.created_at < (f.day + 1)::timestamp at time zone 'UTC') > f.most
    when (
        select coalesce(sum(v.approvals), 0)
        from card_velocity_minutes v where v.workspace_id = f.w and v.card_id = f.c and v.minute >= f.minute) <= f.most then false
    else (
        select coalesce(sum(v.approvals), 0)
        from card_velocity_minutes v where v.workspace_id = f.w and v.card_id = f.c and v.minute > f.minute)
      + (select count(*)
        from card_authorizations m
        where m.workspace_id = f.w and m.account_id = f.a and m.card_id = f.c and m.original_id is null and m.state <> 'DECLINED'
          and m.created_at >= f.at and m.created_at < (f.minute + interval '1 minute') at time zone 'UTC') > f.most
  end
$$;
