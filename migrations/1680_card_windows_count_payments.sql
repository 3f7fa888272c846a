-- A card control's rolling window counts the payments the ledger's rails made too. Before this, the
-- card rail's windows summed its own approved messages only (card_spend_days, card_authorizations),
-- while the ledger's windows counted every record of the control's payment types, card holds among
-- them: a control naming no payment type, limiting an account to 100.00 a week, let a card spend
-- 100.00 after internal transfers had spent 100.00 in the same week.
--
-- Each query of card_spend_sums and card_spend_over now carries the message's time (`at`) and, by
-- window, what it counts of the ledger's payments (`pay`, null for none): its direction `d`, the
-- record kinds `k` (ledgerKindsCounted in src/ledger/rules.ts: the control's payment types among
-- the ledger's rails, never CARD, which the card messages count) and the record types `s` (the
-- control's payment sub-types, none for any). The window adds ledger_spend_in (migration 1670) for
-- them in that direction: from the account's spend days, so the read does not grow with what the
-- account does. Such a window's account has days kept: a control the ledger's rails count is among
-- its spend_controls (ledger_spend_controls_of, migration 1660).
--
-- The reads are serialized with the payments they count by the account's spend lock (lockSpend in
-- src/ledger/store.ts), which a card message's batch takes in its opening statement and a ledger
-- payment's transaction takes before it locks the account's row.
create or replace function card_spend_sums(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.at, x.since, x.windows, x.pay
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, at timestamptz, since timestamptz, windows jsonb, pay jsonb)
  )
  select q.i, (w.k - 1)::int,
    coalesce(days.debits, 0) + coalesce(first_day.debits, 0) + case when p.d = 'DEBITS' then p.amount else 0 end,
    coalesce(days.credits, 0) + coalesce(first_day.credits, 0) + case when p.d = 'CREDITS' then p.amount else 0 end
  from q
  cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
  cross join lateral (select w.start::timestamptz as at, (w.start::timestamptz at time zone 'UTC')::date as day) as s
  cross join lateral (select q.pay -> (w.k - 1)::int as pay) as wp
  cross join lateral (
    select wp.pay ->> 'd' as d,
      case when jsonb_typeof(wp.pay) = 'object'
        then ledger_spend_in(q.w, q.a, s.at, q.at, wp.pay ->> 'd', array(select jsonb_array_elements_text(wp.pay -> 'k')), array(select jsonb_array_elements_text(wp.pay -> 's')))
        else 0::int8 end as amount) as p
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

-- Migration 1560's check, each window's figure with the ledger's payments of its direction added
-- (for a window that counts them and has a bound): to its whole days' bound, the account's spend days
-- from the window's first day on (ledger_spend_in never counts more); to its exact sum,
-- ledger_spend_in's.
create or replace function card_spend_over(queries jsonb, bound_directions text[], bound_most int8[], bound_stride int4) returns table (i int, k int)
language sql stable as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.at, x.since, x.windows, x.pay,
      case when bound_directions[x.i + 1] = 'CREDITS' then 'CREDITS' else 'DEBITS' end as direction
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, at timestamptz, since timestamptz, windows jsonb, pay jsonb)
  ),
  figures as (
    select q.i, (w.k - 1)::int as k, q.w, q.a, q.c, q.direction, w.start::timestamptz as at,
      (w.start::timestamptz at time zone 'UTC')::date as day, null::timestamp as minute,
      bound_most[q.i * bound_stride + w.k + 1] as most, q.at as now,
      case when jsonb_typeof(q.pay -> (w.k - 1)::int) = 'object' and q.pay -> (w.k - 1)::int ->> 'd' = q.direction
        then q.pay -> (w.k - 1)::int end as pay
    from q cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
    where w.start is not null
    union all
    select q.i, -1, q.w, q.a, q.c, q.direction, q.since, null::date, date_trunc('minute', q.since at time zone 'UTC'),
      bound_most[q.i * bound_stride + 1], q.at, null::jsonb
    from q
  )
  select f.i, f.k from figures f
  where f.most is not null and case
    when f.k >= 0 and (
        select coalesce(sum(case when f.direction = 'CREDITS' then d.credits else d.debits end), 0)
        from card_spend_days d where d.workspace_id = f.w and d.account_id = f.a and d.day >= f.day)
      + case when f.pay is null then 0 else (
        select coalesce(sum(case when f.direction = 'CREDITS' then d.credits else d.debits end), 0)
        from ledger_spend_days d where d.workspace_id = f.w and d.account_id = f.a and d.day >= f.day
          and d.kind = any(array(select jsonb_array_elements_text(f.pay -> 'k')))
          and (jsonb_array_length(f.pay -> 's') = 0 or d.type = any(array(select jsonb_array_elements_text(f.pay -> 's'))))) end <= f.most then false
    when f.k >= 0 then (
        select coalesce(sum(case when f.direction = 'CREDITS' then d.credits else d.debits end), 0)
        from card_spend_days d where d.workspace_id = f.w and d.account_id = f.a and d.day > f.day)
      + (select coalesce(sum(m.net_amount), 0)
        from card_authorizations m
        where m.workspace_id = f.w and m.account_id = f.a and m.original_id is null and m.state <> 'DECLINED' and m.direction = f.direction
          and m.created_at >= f.at and m.created_at < (f.day + 1)::timestamp at time zone 'UTC')
      + case when f.pay is null then 0 else ledger_spend_in(f.w, f.a, f.at, f.now, f.direction,
          array(select jsonb_array_elements_text(f.pay -> 'k')), array(select jsonb_array_elements_text(f.pay -> 's'))) end > f.most
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
