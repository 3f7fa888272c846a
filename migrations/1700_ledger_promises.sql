-- Money a rail has promised to an account and will post later: an ACH debit Keel originated, from
-- its origination until it settles, is returned or is canceled. A spend control on what flows into
-- an account (CREDITS) counts it from the day it was promised, as a pending hold counts on DEBITS
-- from the day it was made; once kept (posted) the entry counts instead. Before this, only the ACH
-- rail counted its unsettled debits (from its own entries), for its next debit: an internal transfer
-- into the account, or a card's original credit, found the window as if they were not there, and a
-- week's limit of 5,000.00 on money in let a transfer of 2,000.00 in after a debit of 4,000.00.
--
-- The ledger keeps each promise (promiseCredit and endPromises in src/ledger/promises.ts) and the
-- spend days count them, so every rail's window reads them the one way (ledger_spend_in).
create table ledger_promises (
  workspace_id uuid not null,
  id uuid not null,
  account_id uuid not null,
  kind text not null,
  type text not null,
  amount int8 not null check (amount > 0),
  created_at timestamptz not null,
  primary key (workspace_id, id)
);

-- A window's first day reads the promises made in it from its start on (ledger_spend_in).
create index ledger_promises_by_account on ledger_promises (workspace_id, account_id, created_at);

-- Each statement's promises added to (made) or taken from (ended) their days, for the controlled
-- accounts only, in key order, as the other spend days' triggers do.
create function ledger_spend_days_promises() returns trigger language plpgsql set plan_cache_mode = force_generic_plan as $$
begin
  insert into ledger_spend_days (workspace_id, account_id, day, kind, type, debits, credits)
  select p.workspace_id, p.account_id, (p.created_at at time zone 'UTC')::date, p.kind, p.type, 0,
    sum(case when tg_op = 'INSERT' then p.amount else -p.amount end)
  from changed_rows p
  join ledger_account_holders h on h.workspace_id = p.workspace_id and h.account_id = p.account_id and h.spend_controls is not null
  group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (workspace_id, account_id, day, kind, type) do update set credits = ledger_spend_days.credits + excluded.credits;
  return null;
end
$$;

create trigger ledger_spend_days_on_promise_insert after insert on ledger_promises
  referencing new table as changed_rows for each statement execute function ledger_spend_days_promises();
create trigger ledger_spend_days_on_promise_delete after delete on ledger_promises
  referencing old table as changed_rows for each statement execute function ledger_spend_days_promises();

-- Migration 1670's days of these accounts as their records make them, with their promises.
create or replace function ledger_spend_days_of(w uuid, accounts uuid[]) returns table (account_id uuid, day date, kind text, type text, debits int8, credits int8)
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
    union all
    select p.account_id, (p.created_at at time zone 'UTC')::date, p.kind, p.type, 0, p.amount
    from ledger_promises p
    where p.workspace_id = w and p.account_id = any(accounts)
  ) as x
  group by 1, 2, 3, 4
  having sum(x.debits) <> 0 or sum(x.credits) <> 0
$$;

-- Migration 1670's window, whose first day now reads the promises made in it on CREDITS.
create or replace function ledger_spend_in(w uuid, a uuid, since timestamptz, as_of timestamptz, direction text, kinds text[], sub_types text[]) returns int8
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
  else
    total := total + coalesce((
      select sum(p.amount) from ledger_promises p
      where p.workspace_id = w and p.account_id = a and p.created_at >= since and p.created_at < day_end
        and p.kind = any(kinds) and (cardinality(sub_types) = 0 or p.type = any(sub_types))), 0);
  end if;
  return total;
end $$;

-- The ACH debits originated and not yet settled, returned or canceled: promised now. Their days are
-- added by the trigger above, for the accounts with controls.
insert into ledger_promises (workspace_id, id, account_id, kind, type, amount, created_at)
select workspace_id, id, source_account_id, 'ACH', 'ACH.OUTGOING_DEBIT', amount, created_at
from ach_outgoing
where kind = 'ORIGINATION' and dc_sign = 'debit' and status in ('INIT', 'PENDING') and source_account_id is not null and amount > 0
order by workspace_id, id;
