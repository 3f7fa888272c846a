-- A rolling window that lists what it counts (merchant category codes, payment sub-types) was summed
-- from its account's card messages since the window's start (migration 1690): card_spend_days keep
-- no MCC or sub-type. The read grew with what the account spent by card in the window. On a business
-- account whose many cards share one control "at most 2,000.00 a week at restaurants", every
-- authorization that met the control read every message of the account's week.
--
-- The approved card spend by day of each account that names such a control is now also kept by what
-- the message was: its MCC and its sub-type. A listed window reads the whole days after its first
-- from here (one row a day for each MCC and sub-type the account spent at), and the messages of its
-- first day from its start on from card_authorizations, as the other windows read card_spend_days.
-- `mcc` and `sub_type` hold '' where the message has none (a key's columns take no null);
-- card_message_counted is given null for it, as it is given for the message itself.
create table card_spend_kinds (
  workspace_id uuid not null,
  account_id uuid not null,
  day date not null,
  mcc text not null,
  sub_type text not null,
  debits int8 not null,
  credits int8 not null,
  primary key (workspace_id, account_id, day, mcc, sub_type)
);

-- The accounts whose spend is kept by kind: each names a rolling-window control that lists MCCs or
-- sub-types (active or not: a superset of the accounts a listed window is ever decided for, which is
-- what the reads need; an account no longer naming one is taken off). Accounts without one, nearly
-- all, cost the triggers below one lookup a message and nothing written.
create table card_spend_kinds_kept (
  workspace_id uuid not null,
  account_id uuid not null,
  primary key (workspace_id, account_id)
);

-- Which of the workspace's accounts named should have their spend kept by kind.
create function card_spend_kinds_wanted(w uuid, accounts uuid[]) returns table (account_id uuid) language sql stable as $$
  select a.id from accounts a
  where a.workspace_id = w and a.id = any(accounts) and jsonb_typeof(a.fields->'spend_control_ids') = 'array'
    and exists (select 1 from spend_controls s
      where s.workspace_id = w and a.fields->'spend_control_ids' ? s.id::text and s.window_days is not null
        and (cardinality(s.merchant_category_codes) > 0 or cardinality(s.payment_sub_types) > 0))
$$;

-- Brings the accounts named in line with card_spend_kinds_wanted. An account that comes to be kept
-- has its kinds made from its approved messages once its ledger row is held (FOR SHARE, in id order,
-- as every path locks accounts, as ledger_refresh_gates makes the ledger's spend days): a batch
-- writing or changing a message on it changes the account's balances, so it either committed before
-- (its messages are read here) or writes after this transaction commits (its triggers then see the
-- account kept). No message is left out or counted twice. Called by the triggers below once the
-- workspace's spend-gate lock is held (ledger_lock_spend_gates), so a control changed and an account
-- naming it anew, at once, read each other's changes.
create function card_spend_kinds_refresh(w uuid, accounts uuid[]) returns void language plpgsql as $$
declare
  wanted uuid[] := array(select k.account_id from card_spend_kinds_wanted(w, accounts) as k order by 1);
  was uuid[] := array(select k.account_id from card_spend_kinds_kept k where k.workspace_id = w and k.account_id = any(accounts) order by 1);
  gained uuid[] := array(select unnest(wanted) except select unnest(was) order by 1);
  lost uuid[] := array(select unnest(was) except select unnest(wanted) order by 1);
begin
  if cardinality(gained) = 0 and cardinality(lost) = 0 then
    return;
  end if;
  -- Every account named, before anything is written: a batch writing on one of them holds its row
  -- until it ends, and its triggers may be writing the account's kinds. Every account named, not only
  -- those gained or lost: ledger_refresh_gates, in a trigger that fires after this one, holds those of
  -- its own that gain spend controls, and finds them held already. Taken in two sets, the two could
  -- each wait on a batch that waits on the other.
  perform 1 from ledger_accounts l where l.workspace_id = w and l.id = any(accounts) order by l.id for share;
  if cardinality(lost) > 0 then
    delete from card_spend_kinds_kept k where k.workspace_id = w and k.account_id = any(lost);
    delete from card_spend_kinds d where d.workspace_id = w and d.account_id = any(lost);
  end if;
  if cardinality(gained) > 0 then
    insert into card_spend_kinds_kept (workspace_id, account_id) select w, g from unnest(gained) as g order by 2;
    insert into card_spend_kinds (workspace_id, account_id, day, mcc, sub_type, debits, credits)
    select m.workspace_id, m.account_id, (m.created_at at time zone 'UTC')::date, coalesce(m.mcc, ''), coalesce(m.sub_type, ''),
      coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0), coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0)
    from card_authorizations m
    where m.workspace_id = w and m.account_id = any(gained) and m.original_id is null and m.state <> 'DECLINED'
    group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5;
  end if;
end $$;

-- An account opened naming controls, or its spend_control_ids changed: those accounts. One function
-- for both kinds of statement; each reads only the transition tables its kind has.
create function accounts_refresh_card_spend_kinds() returns trigger language plpgsql as $$
declare
  keys jsonb;
  g record;
begin
  if tg_op = 'INSERT' then
    keys := (select coalesce(jsonb_agg(jsonb_build_array(n.workspace_id, n.id)), '[]') from changed_new n
             where jsonb_typeof(n.fields->'spend_control_ids') = 'array' and jsonb_array_length(n.fields->'spend_control_ids') > 0);
  else
    keys := (select coalesce(jsonb_agg(jsonb_build_array(n.workspace_id, n.id)), '[]') from changed_new n
             join changed_old o on o.workspace_id = n.workspace_id and o.id = n.id
             where (o.fields->'spend_control_ids') is distinct from (n.fields->'spend_control_ids'));
  end if;
  for g in select (k->>0)::uuid as workspace_id, array_agg(distinct (k->>1)::uuid) as accounts from jsonb_array_elements(keys) as k group by 1 order by 1 loop
    perform ledger_lock_spend_gates(g.workspace_id);
    perform card_spend_kinds_refresh(g.workspace_id, g.accounts);
  end loop;
  return null;
end $$;

-- These triggers fire before migration 1660's on the same tables (PostgreSQL fires a table's
-- triggers of one kind in the order of their names), so that card_spend_kinds_refresh takes its row
-- locks first.
create trigger accounts_card_spend_kinds_on_insert after insert on accounts
  referencing new table as changed_new for each statement execute function accounts_refresh_card_spend_kinds();
create trigger accounts_card_spend_kinds_on_update after update on accounts
  referencing old table as changed_old new table as changed_new for each statement execute function accounts_refresh_card_spend_kinds();

-- A control changed (its window, MCCs or sub-types among what it may change): every account of its
-- workspace that names it.
create function spend_controls_refresh_card_spend_kinds() returns trigger language plpgsql as $$
declare
  accounts uuid[];
begin
  perform ledger_lock_spend_gates(new.workspace_id);
  accounts := array(select a.id from accounts a
    where a.workspace_id = new.workspace_id and jsonb_typeof(a.fields->'spend_control_ids') = 'array' and a.fields->'spend_control_ids' ? new.id::text
    order by a.id);
  if cardinality(accounts) > 0 then
    perform card_spend_kinds_refresh(new.workspace_id, accounts);
  end if;
  return null;
end $$;
create trigger spend_controls_account_kinds_on_update after update on spend_controls
  for each row execute function spend_controls_refresh_card_spend_kinds();

-- The accounts there are.
select card_spend_kinds_refresh(a.workspace_id, array_agg(a.id order by a.id))
from accounts a
where jsonb_typeof(a.fields->'spend_control_ids') = 'array' and jsonb_array_length(a.fields->'spend_control_ids') > 0
group by a.workspace_id;

-- Migration 1510's trigger function, keeping the days of every account and the kinds of the accounts
-- kept, from the statement's own rows, each in key order (two transactions meeting on the same rows
-- take their locks in the same order). A message's MCC and sub-type, like its day, never change after
-- it is written: an update moves its net_amount within the row it counted in.
create or replace function card_spend_days_add() returns trigger language plpgsql set plan_cache_mode = force_generic_plan as $$
begin
  if tg_op = 'INSERT' then
    insert into card_spend_days (workspace_id, account_id, day, debits, credits)
    select n.workspace_id, n.account_id, (n.created_at at time zone 'UTC')::date,
      coalesce(sum(n.net_amount) filter (where n.direction = 'DEBITS'), 0), coalesce(sum(n.net_amount) filter (where n.direction = 'CREDITS'), 0)
    from new_rows n where n.original_id is null and n.state <> 'DECLINED'
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (workspace_id, account_id, day) do update
      set debits = card_spend_days.debits + excluded.debits, credits = card_spend_days.credits + excluded.credits;
    insert into card_spend_kinds (workspace_id, account_id, day, mcc, sub_type, debits, credits)
    select n.workspace_id, n.account_id, (n.created_at at time zone 'UTC')::date, coalesce(n.mcc, ''), coalesce(n.sub_type, ''),
      coalesce(sum(n.net_amount) filter (where n.direction = 'DEBITS'), 0), coalesce(sum(n.net_amount) filter (where n.direction = 'CREDITS'), 0)
    from new_rows n join card_spend_kinds_kept k on k.workspace_id = n.workspace_id and k.account_id = n.account_id
    where n.original_id is null and n.state <> 'DECLINED'
    group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (workspace_id, account_id, day, mcc, sub_type) do update
      set debits = card_spend_kinds.debits + excluded.debits, credits = card_spend_kinds.credits + excluded.credits;
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
    insert into card_spend_kinds (workspace_id, account_id, day, mcc, sub_type, debits, credits)
    select n.workspace_id, n.account_id, (n.created_at at time zone 'UTC')::date, coalesce(n.mcc, ''), coalesce(n.sub_type, ''),
      coalesce(sum(n.net_amount - o.net_amount) filter (where n.direction = 'DEBITS'), 0),
      coalesce(sum(n.net_amount - o.net_amount) filter (where n.direction = 'CREDITS'), 0)
    from new_rows n join old_rows o on o.workspace_id = n.workspace_id and o.id = n.id
    join card_spend_kinds_kept k on k.workspace_id = n.workspace_id and k.account_id = n.account_id
    where n.original_id is null and n.state <> 'DECLINED' and n.net_amount <> o.net_amount
    group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (workspace_id, account_id, day, mcc, sub_type) do update
      set debits = card_spend_kinds.debits + excluded.debits, credits = card_spend_kinds.credits + excluded.credits;
  end if;
  return null;
end
$$;

-- Migration 1690's sums, a listed window's whole days now from card_spend_kinds.
create or replace function card_spend_sums(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable as $$
  with q as materialized (
    select x.i, x.w, x.a, x.c, x.at, x.since, x.windows, x.pay, x.cards
    from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, at timestamptz, since timestamptz, windows jsonb, pay jsonb, cards jsonb)
  )
  select q.i, (w.k - 1)::int,
    coalesce(days.debits, 0) + coalesce(kinds.debits, 0) + coalesce(first_day.debits, 0) + case when p.d = 'DEBITS' then p.amount else 0 end,
    coalesce(days.credits, 0) + coalesce(kinds.credits, 0) + coalesce(first_day.credits, 0) + case when p.d = 'CREDITS' then p.amount else 0 end
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
    select sum(d.debits)::int8 as debits, sum(d.credits)::int8 as credits
    from card_spend_kinds d
    where wp.cards is not null and d.workspace_id = q.w and d.account_id = q.a and d.day > s.day
      and card_message_counted(nullif(d.mcc, ''), nullif(d.sub_type, ''), wp.cards)) as kinds
  cross join lateral (
    select sum(m.net_amount) filter (where m.direction = 'DEBITS')::int8 as debits,
      sum(m.net_amount) filter (where m.direction = 'CREDITS')::int8 as credits
    from card_authorizations m
    where m.workspace_id = q.w and m.account_id = q.a and m.original_id is null and m.state <> 'DECLINED'
      and m.created_at >= s.at and m.created_at < (s.day + 1)::timestamp at time zone 'UTC'
      and (wp.cards is null or card_message_counted(m.mcc, m.sub_type, wp.cards))) as first_day
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

-- Migration 1690's check, a listed window's exact sum now its whole days from card_spend_kinds and
-- the messages of its first day. Its bound by the account's days is kept: one row a day, read
-- before the kinds, and enough for a window far from its limit.
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
    when f.k >= 0 then (
        select coalesce(sum(case when f.direction = 'CREDITS' then d.credits else d.debits end), 0)
        from card_spend_days d where f.cards is null and d.workspace_id = f.w and d.account_id = f.a and d.day > f.day)
      + (select coalesce(sum(case when f.direction = 'CREDITS' then d.credits else d.debits end), 0)
        from card_spend_kinds d where f.cards is not null and d.workspace_id = f.w and d.account_id = f.a and d.day > f.day
          and card_message_counted(nullif(d.mcc, ''), nullif(d.sub_type, ''), f.cards))
      + (select coalesce(sum(m.net_amount), 0)
        from card_authorizations m
        where m.workspace_id = f.w and m.account_id = f.a and m.original_id is null and m.state <> 'DECLINED' and m.direction = f.direction
          and m.created_at >= f.at and m.created_at < (f.day + 1)::timestamp at time zone 'UTC'
          and (f.cards is null or card_message_counted(m.mcc, m.sub_type, f.cards)))
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
