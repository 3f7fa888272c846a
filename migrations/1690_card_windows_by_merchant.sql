-- A card control's rolling window counts only the card messages the control governs. Before this,
-- every window summed all of its account's approved card messages (card_spend_days): a control for
-- groceries (merchant_category_codes 5411) limited to 300.00 a week declined a 50.00 grocery purchase
-- once the week's fuel had reached 300.00, and a control for ATM withdrawals (payment_sub_types
-- CARD.ATM_WITHDRAWAL) counted purchases against its withdrawals.
--
-- What a message is, for that: its MCC, and its payment sub-type, now kept with it (sub_type:
-- CARD.ATM_WITHDRAWAL, CARD.POS_CASHBACK or null). The ATM withdrawals written before are known by
-- their type; a purchase with cash back written before this is not known as one, and counts as a
-- purchase.
alter table card_authorizations add column sub_type text;
update card_authorizations set sub_type = 'CARD.ATM_WITHDRAWAL' where type = 'pindebit.atm.withdrawal';

-- Whether a window that lists what it counts (`counted`: `m`, the MCCs as an int4multirange, null
-- for any MCC; `t`, payment sub-types, none for any) counts a message of this MCC and sub-type. The
-- same rule as windowCounts in src/card-authorization/decide.ts: an MCC is listed when it is digits
-- only and its number lies in a range (mccCode, mccRanges). The CASE keeps the cast from an MCC that
-- is not a number. One expression without subqueries, so that PostgreSQL inlines it into the reads.
create function card_message_counted(mcc text, sub_type text, counted jsonb) returns boolean
language sql immutable as $$
  select (counted ->> 'm' is null or case when mcc ~ '^[0-9]{1,5}$' then (counted ->> 'm')::int4multirange @> mcc::int4 else false end)
    and (jsonb_array_length(counted -> 't') = 0 or coalesce(counted -> 't' ? sub_type, false))
$$;

-- Each query of card_spend_sums and card_spend_over now also carries, by window, what it counts of
-- the card messages (`cards`: null for every one, else card_message_counted's `counted`). A window
-- that lists them sums its account's approved messages from the window's start directly, through
-- card_authorizations_by_account, as the windows did before the days (migration 1510): the days
-- keep no MCC or sub-type. Its read grows with what the account spent by card in the window, for
-- such controls only; the others read the days as before (the conditions on `cards` are one-time
-- filters: the branch a window does not take reads nothing).
create or replace function card_spend_sums(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.at, x.since, x.windows, x.pay, x.cards
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, at timestamptz, since timestamptz, windows jsonb, pay jsonb, cards jsonb)
  )
  select q.i, (w.k - 1)::int,
    coalesce(days.debits, 0) + coalesce(first_day.debits, 0) + coalesce(listed.debits, 0) + case when p.d = 'DEBITS' then p.amount else 0 end,
    coalesce(days.credits, 0) + coalesce(first_day.credits, 0) + coalesce(listed.credits, 0) + case when p.d = 'CREDITS' then p.amount else 0 end
  from q
  cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
  cross join lateral (select w.start::timestamptz as at, (w.start::timestamptz at time zone 'UTC')::date as day) as s
  cross join lateral (select q.pay -> (w.k - 1)::int as pay,
    case when jsonb_typeof(q.cards -> (w.k - 1)::int) = 'object' then q.cards -> (w.k - 1)::int end as cards) as wp
  cross join lateral (
    select wp.pay ->> 'd' as d,
      case when jsonb_typeof(wp.pay) = 'object'
        then ledger_spend_in(q.w, q.a, s.at, q.at, wp.pay ->> 'd', array(select jsonb_array_elements_text(wp.pay -> 'k')), array(select jsonb_array_elements_text(wp.pay -> 's')))
        else 0::int8 end as amount) as p
  cross join lateral (
    select sum(d.debits)::int8 as debits, sum(d.credits)::int8 as credits
    from card_spend_days d
    where wp.cards is null and d.workspace_id = q.w and d.account_id = q.a and d.day > s.day) as days
  cross join lateral (
    select sum(m.net_amount) filter (where m.direction = 'DEBITS')::int8 as debits,
      sum(m.net_amount) filter (where m.direction = 'CREDITS')::int8 as credits
    from card_authorizations m
    where wp.cards is null and m.workspace_id = q.w and m.account_id = q.a and m.original_id is null and m.state <> 'DECLINED'
      and m.created_at >= s.at and m.created_at < (s.day + 1)::timestamp at time zone 'UTC') as first_day
  cross join lateral (
    select sum(m.net_amount) filter (where m.direction = 'DEBITS')::int8 as debits,
      sum(m.net_amount) filter (where m.direction = 'CREDITS')::int8 as credits
    from card_authorizations m
    where wp.cards is not null and m.workspace_id = q.w and m.account_id = q.a and m.original_id is null and m.state <> 'DECLINED'
      and m.created_at >= s.at and card_message_counted(m.mcc, m.sub_type, wp.cards)) as listed
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

-- Migration 1680's check, with the windows that list what they count: their whole days' bound is
-- still the account's days from the window's first day on (every message counts there, so it is
-- never less than what the window counts), and their exact sum reads the messages they count.
create or replace function card_spend_over(queries jsonb, bound_directions text[], bound_most int8[], bound_stride int4) returns table (i int, k int)
language sql stable as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.at, x.since, x.windows, x.pay, x.cards,
      case when bound_directions[x.i + 1] = 'CREDITS' then 'CREDITS' else 'DEBITS' end as direction
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, at timestamptz, since timestamptz, windows jsonb, pay jsonb, cards jsonb)
  ),
  figures as (
    select q.i, (w.k - 1)::int as k, q.w, q.a, q.c, q.direction, w.start::timestamptz as at,
      (w.start::timestamptz at time zone 'UTC')::date as day, null::timestamp as minute,
      bound_most[q.i * bound_stride + w.k + 1] as most, q.at as now,
      case when jsonb_typeof(q.pay -> (w.k - 1)::int) = 'object' and q.pay -> (w.k - 1)::int ->> 'd' = q.direction
        then q.pay -> (w.k - 1)::int end as pay,
      case when jsonb_typeof(q.cards -> (w.k - 1)::int) = 'object' then q.cards -> (w.k - 1)::int end as cards
    from q cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
    where w.start is not null
    union all
    select q.i, -1, q.w, q.a, q.c, q.direction, q.since, null::date, date_trunc('minute', q.since at time zone 'UTC'),
      bound_most[q.i * bound_stride + 1], q.at, null::jsonb, null::jsonb
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
    when f.k >= 0 and f.cards is not null then (
        select coalesce(sum(m.net_amount), 0)
        from card_authorizations m
        where m.workspace_id = f.w and m.account_id = f.a and m.original_id is null and m.state <> 'DECLINED' and m.direction = f.direction
          and m.created_at >= f.at and card_message_counted(m.mcc, m.sub_type, f.cards))
      + case when f.pay is null then 0 else ledger_spend_in(f.w, f.a, f.at, f.now, f.direction,
          array(select jsonb_array_elements_text(f.pay -> 'k')), array(select jsonb_array_elements_text(f.pay -> 's'))) end > f.most
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
