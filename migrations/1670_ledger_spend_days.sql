-- What each controlled account's payments spent, by UTC day, payment type and record type, kept with
-- the records, so that a spend control's rolling window is summed from at most one row per day and
-- type instead of from every record in it. Before this, each window read every entry posted on the
-- account in the window and every pending hold made in it, each joined to its record for its type:
-- in bench:card-auth an internal transfer between two card accounts read about fifty card holds an
-- account, 934 µs of database CPU a transfer against 166 without the windows. And the card rail's
-- windows (card_spend_sums) could not count the ledger's payments at all without that read on every
-- authorization, so a control naming no payment type let a card message through after internal
-- transfers had filled its window.
--
-- What a day holds is what migration 1660's window read counted, attributed to days: an entry
-- posted by a transfer or a capture counts in the day of its created_at, its debits and its credits
-- apart; a PENDING hold counts what it still reserves (amount − captured) in the day it was made, as
-- a debit, while it is PENDING. Money moving back is not a payment (ledger_is_payment). A hold past
-- its expiry that the clock has not expired yet still counts in its day: ledger_spend_in takes it off
-- at read time, as the read before did.
--
-- Kept only for accounts whose spend_controls are set (ledger_account_holders, migration 1660), the
-- only ones whose windows are read, so a batch moving money between other accounts writes nothing
-- more. An account's days are made from its records when it comes to have controls, and dropped when
-- it has none left (ledger_refresh_gates below).
create table ledger_spend_days (
  workspace_id uuid not null,
  account_id uuid not null,
  day date not null,
  kind text not null,
  type text not null,
  debits int8 not null,
  credits int8 not null,
  primary key (workspace_id, account_id, day, kind, type)
);

-- The one list of what is not a payment: an ACH return, a returned debit's shortfall collected, and
-- an ACH debit's availability hold (it keeps money the account received). A record says so in its
-- details; no control's window counts it.
create function ledger_is_payment(details jsonb) returns boolean language sql immutable as $$
  select not (details ?| array['return_code', 'shortfall_collection', 'availability_hold'])
$$;

-- The accounts whose days are kept: a partial index, so that a batch's triggers find none for the
-- accounts without controls by probing an index that holds only controlled ones.
create index ledger_account_holders_spend on ledger_account_holders (workspace_id, account_id) where spend_controls is not null;

-- Pending holds by the time they were made, for a window's first day (ledger_spend_in): the account's
-- other index of them (migration 1480's, by expiry) would read every pending hold of the account to
-- find those of one day. Its predicate names created_at, which no NOT NULL spares it, so only a
-- statement that bounds created_at (strict comparisons imply it is not null) may use it: the due
-- holds' read (dueHoldsOn), which names the account and the expiry only, keeps to migration 1480's
-- index instead of being planned onto this one, which matches its first two columns as well.
create index ledger_holds_account_created on ledger_holds (workspace_id, account_id, created_at) where status = 'PENDING' and created_at is not null;

-- The days of these accounts as their records make them: what the triggers below keep, worked out
-- whole. ledger_refresh_gates makes an account's days with it, and the ledger's audit compares.
create function ledger_spend_days_of(w uuid, accounts uuid[]) returns table (account_id uuid, day date, kind text, type text, debits int8, credits int8)
language sql stable as $$
  select x.account_id, x.day, x.kind, x.type, sum(x.debits)::int8, sum(x.credits)::int8
  from (
    select e.account_id, (e.created_at at time zone 'UTC')::date as day, t.kind, t.type,
      case when e.amount < 0 then -e.amount else 0 end as debits, case when e.amount > 0 then e.amount else 0 end as credits
    from ledger_entries e join ledger_transfers t on t.workspace_id = e.workspace_id and t.id = e.transfer_id
    where e.workspace_id = w and e.account_id = any(accounts) and t.action in ('post', 'post_pending') and ledger_is_payment(t.details)
    union all
    select s.account_id, (s.created_at at time zone 'UTC')::date, t.kind, t.type, s.amount - s.captured, 0
    from ledger_holds s join ledger_transfers t on t.workspace_id = s.workspace_id and t.id = s.id
    where s.workspace_id = w and s.account_id = any(accounts) and s.status = 'PENDING' and ledger_is_payment(t.details)
  ) as x
  group by 1, 2, 3, 4
  having sum(x.debits) <> 0 or sum(x.credits) <> 0
$$;

-- Each statement's changes added to their days, in key order (two transactions meeting on the same
-- days take their locks in the same order), for the controlled accounts only. The records' transfer
-- rows are read for their type: a batch writes them in the same statement, and an AFTER trigger runs
-- once that statement is done, seeing all it wrote.
create function ledger_spend_days_entries() returns trigger language plpgsql set plan_cache_mode = force_generic_plan as $$
begin
  insert into ledger_spend_days (workspace_id, account_id, day, kind, type, debits, credits)
  select e.workspace_id, e.account_id, (e.created_at at time zone 'UTC')::date, t.kind, t.type,
    coalesce(sum(-e.amount) filter (where e.amount < 0), 0), coalesce(sum(e.amount) filter (where e.amount > 0), 0)
  from new_rows e
  join ledger_account_holders h on h.workspace_id = e.workspace_id and h.account_id = e.account_id and h.spend_controls is not null
  join ledger_transfers t on t.workspace_id = e.workspace_id and t.id = e.transfer_id
  where t.action in ('post', 'post_pending') and ledger_is_payment(t.details)
  group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (workspace_id, account_id, day, kind, type) do update
    set debits = ledger_spend_days.debits + excluded.debits, credits = ledger_spend_days.credits + excluded.credits;
  return null;
end
$$;

create function ledger_spend_days_holds() returns trigger language plpgsql set plan_cache_mode = force_generic_plan as $$
begin
  if tg_op = 'INSERT' then
    insert into ledger_spend_days (workspace_id, account_id, day, kind, type, debits, credits)
    select s.workspace_id, s.account_id, (s.created_at at time zone 'UTC')::date, t.kind, t.type, sum(s.amount - s.captured), 0
    from new_rows s
    join ledger_account_holders h on h.workspace_id = s.workspace_id and h.account_id = s.account_id and h.spend_controls is not null
    join ledger_transfers t on t.workspace_id = s.workspace_id and t.id = s.id
    where s.status = 'PENDING' and ledger_is_payment(t.details)
    group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (workspace_id, account_id, day, kind, type) do update set debits = ledger_spend_days.debits + excluded.debits;
  else
    -- What each changed hold still reserves, now against before: a capture in part, a raise, a hold
    -- leaving PENDING (captured, released, expired). A hold's account and its made time never change.
    insert into ledger_spend_days (workspace_id, account_id, day, kind, type, debits, credits)
    select n.workspace_id, n.account_id, (n.created_at at time zone 'UTC')::date, t.kind, t.type,
      sum(case when n.status = 'PENDING' then n.amount - n.captured else 0 end - case when o.status = 'PENDING' then o.amount - o.captured else 0 end), 0
    from new_rows n
    join old_rows o on o.workspace_id = n.workspace_id and o.id = n.id
    join ledger_account_holders h on h.workspace_id = n.workspace_id and h.account_id = n.account_id and h.spend_controls is not null
    join ledger_transfers t on t.workspace_id = n.workspace_id and t.id = n.id
    where (n.status = 'PENDING' or o.status = 'PENDING') and ledger_is_payment(t.details)
    group by 1, 2, 3, 4, 5
    having sum(case when n.status = 'PENDING' then n.amount - n.captured else 0 end - case when o.status = 'PENDING' then o.amount - o.captured else 0 end) <> 0
    order by 1, 2, 3, 4, 5
    on conflict (workspace_id, account_id, day, kind, type) do update set debits = ledger_spend_days.debits + excluded.debits;
  end if;
  return null;
end
$$;

create trigger ledger_spend_days_on_entries after insert on ledger_entries
  referencing new table as new_rows for each statement execute function ledger_spend_days_entries();
create trigger ledger_spend_days_on_hold_insert after insert on ledger_holds
  referencing new table as new_rows for each statement execute function ledger_spend_days_holds();
create trigger ledger_spend_days_on_hold_update after update on ledger_holds
  referencing old table as old_rows new table as new_rows for each statement execute function ledger_spend_days_holds();

-- Migration 1660's function, now also keeping the days of the accounts whose controls come or go.
-- An account that comes to have controls has its days made from its records once its ledger row is
-- held (FOR SHARE, in id order, as every path locks accounts): a batch writing on it either
-- committed before (its records are read) or writes after this transaction commits (its triggers
-- then see the account's controls), so no record is left out or counted twice. A batch that locked
-- the row first and read the account without controls finds them set when it compares what it read
-- (verifyAccounts), and runs again.
create or replace function ledger_refresh_gates(w uuid, accounts uuid[]) returns void language plpgsql as $$
declare
  was uuid[];
  now_controlled uuid[];
  gained uuid[];
begin
  insert into ledger_account_holders (workspace_id, account_id)
    select l.workspace_id, l.id from ledger_accounts l where l.workspace_id = w and l.id = any(accounts) order by l.id
    on conflict do nothing;
  perform 1 from ledger_account_holders h where h.workspace_id = w and h.account_id = any(accounts) order by h.account_id for update;
  was := array(select h.account_id from ledger_account_holders h where h.workspace_id = w and h.account_id = any(accounts) and h.spend_controls is not null);
  update ledger_account_holders h
    set unverified_holder = g.unverified_holder, spend_controls = g.spend_controls
    from (select a.id, ledger_unverified_holder(w, a.id) as unverified_holder, ledger_spend_controls_of(w, a.id) as spend_controls
          from unnest(accounts) as a(id)) as g
    where h.workspace_id = w and h.account_id = g.id
      and (h.unverified_holder is distinct from g.unverified_holder or h.spend_controls is distinct from g.spend_controls);
  now_controlled := array(select h.account_id from ledger_account_holders h where h.workspace_id = w and h.account_id = any(accounts) and h.spend_controls is not null);
  gained := array(select unnest(now_controlled) except select unnest(was) order by 1);
  delete from ledger_spend_days d where d.workspace_id = w
    and d.account_id = any(array(select unnest(was) except select unnest(now_controlled) union select unnest(gained)));
  if cardinality(gained) > 0 then
    perform 1 from ledger_accounts l where l.workspace_id = w and l.id = any(gained) order by l.id for share;
    insert into ledger_spend_days (workspace_id, account_id, day, kind, type, debits, credits)
      select w, s.account_id, s.day, s.kind, s.type, s.debits, s.credits from ledger_spend_days_of(w, gained) as s order by 2, 3, 4, 5;
  end if;
end $$;

-- What a spend control's window on account `a` has spent at `as_of`: its records since `since` of the
-- payment types `kinds` (and of the record types `sub_types`, when any), in `direction`, as
-- ledger_spend_days counts them. The days after since's are read whole from ledger_spend_days; the
-- records of since's own day from since on are read themselves (through the entries' index by
-- account and time, and the pending holds' by account and made time); pending holds made after that
-- day but past their expiry at `as_of` are taken off (the clock has yet to expire them). Only for an
-- account whose controls are set: only those have days. Both rails read windows through it (the
-- ledger's spendLimitsOf, the card rail's card_spend_sums), under the account's spend lock.
create function ledger_spend_in(w uuid, a uuid, since timestamptz, as_of timestamptz, direction text, kinds text[], sub_types text[]) returns int8
language plpgsql stable as $$
declare
  first_day date := (since at time zone 'UTC')::date;
  day_end timestamptz := (first_day + 1)::timestamp at time zone 'UTC';
  of_debits boolean := direction = 'DEBITS';
  total int8;
begin
  select coalesce(sum(case when of_debits then d.debits else d.credits end), 0) into total
  from ledger_spend_days d
  where d.workspace_id = w and d.account_id = a and d.day > first_day and d.kind = any(kinds)
    and (cardinality(sub_types) = 0 or d.type = any(sub_types));
  total := total + coalesce((
    select sum(abs(e.amount)) from ledger_entries e join ledger_transfers t on t.workspace_id = e.workspace_id and t.id = e.transfer_id
    where e.workspace_id = w and e.account_id = a and e.created_at >= since and e.created_at < day_end and (e.amount < 0) = of_debits
      and t.action in ('post', 'post_pending') and ledger_is_payment(t.details)
      and t.kind = any(kinds) and (cardinality(sub_types) = 0 or t.type = any(sub_types))), 0);
  if of_debits then
    total := total + coalesce((
      select sum(s.amount - s.captured) from ledger_holds s join ledger_transfers t on t.workspace_id = s.workspace_id and t.id = s.id
      where s.workspace_id = w and s.account_id = a and s.status = 'PENDING' and s.created_at >= since and s.created_at < day_end
        and (s.expires_at is null or s.expires_at > as_of)
        and ledger_is_payment(t.details) and t.kind = any(kinds) and (cardinality(sub_types) = 0 or t.type = any(sub_types))), 0)
    - coalesce((
      select sum(s.amount - s.captured) from ledger_holds s join ledger_transfers t on t.workspace_id = s.workspace_id and t.id = s.id
      where s.workspace_id = w and s.account_id = a and s.status = 'PENDING' and s.expires_at <= as_of and s.created_at >= day_end
        and ledger_is_payment(t.details) and t.kind = any(kinds) and (cardinality(sub_types) = 0 or t.type = any(sub_types))), 0);
  end if;
  return total;
end $$;

-- The accounts with controls there are.
do $$
declare
  g record;
begin
  for g in select h.workspace_id, array_agg(h.account_id order by h.account_id) as accounts
           from ledger_account_holders h where h.spend_controls is not null group by 1 loop
    insert into ledger_spend_days (workspace_id, account_id, day, kind, type, debits, credits)
      select g.workspace_id, s.account_id, s.day, s.kind, s.type, s.debits, s.credits from ledger_spend_days_of(g.workspace_id, g.accounts) as s;
  end loop;
end $$;
