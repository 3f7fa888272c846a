-- Spend controls govern internal transfers and ACH too, not only card messages: a control whose
-- payment_types are empty applies to every payment, and one may name INTERNAL_TRANSFER or ACH. The
-- ledger decides them (src/ledger/rules.ts, `spend_control_violation`), so it keeps, beside each
-- account's holders' gate, the terms of the account's controls that may govern a rail it checks:
-- `ledger_account_holders.spend_controls`, a JSON array of {id, amount_limit, window_days,
-- direction, payment_types, payment_sub_types}, or null when there is none. A control counts when
-- it is active, declines (`action_decline`; Keel opens no cases), lists no merchant category codes
-- (those are card terms) and its payment_types are empty or name INTERNAL_TRANSFER or ACH.
--
-- The triggers below keep it whichever path changes an account's `spend_control_ids` or a control,
-- as migration 1650's keep `unverified_holder`, through one function that works out both. A ledger
-- batch reads only whether it is null with each account (so a batch moving money on accounts
-- without controls pays nothing more); one with a payment on an account that has some runs
-- locking, and reads the terms, with what each window has spent, once its rows are locked.
alter table ledger_account_holders add column spend_controls jsonb;

create function ledger_spend_controls_of(w uuid, account uuid) returns jsonb language sql stable as $$
  select jsonb_agg(jsonb_build_object(
      'id', s.id, 'amount_limit', s.amount_limit, 'window_days', s.window_days, 'direction', coalesce(s.direction, 'DEBITS'),
      'payment_types', to_jsonb(s.payment_types), 'payment_sub_types', to_jsonb(s.payment_sub_types)) order by s.id)
  from accounts a
  join spend_controls s on s.workspace_id = a.workspace_id
    and jsonb_typeof(a.fields->'spend_control_ids') = 'array' and a.fields->'spend_control_ids' ? s.id::text
  where a.workspace_id = w and a.id = account
    and s.is_active and s.action_decline and cardinality(s.merchant_category_codes) = 0
    and (cardinality(s.payment_types) = 0 or s.payment_types && array['INTERNAL_TRANSFER', 'ACH'])
$$;

-- Both of an account's gates, worked out anew for the workspace's accounts named, with migration
-- 1650's locking: each row made if missing and locked, in id order, then worked out by a later
-- statement, which sees what was committed by the time the lock was held (no write skew). Every
-- trigger that keeps a gate calls it, so a row is always written whole.
create function ledger_refresh_gates(w uuid, accounts uuid[]) returns void language plpgsql as $$
begin
  insert into ledger_account_holders (workspace_id, account_id)
    select l.workspace_id, l.id from ledger_accounts l where l.workspace_id = w and l.id = any(accounts) order by l.id
    on conflict do nothing;
  perform 1 from ledger_account_holders h where h.workspace_id = w and h.account_id = any(accounts) order by h.account_id for update;
  update ledger_account_holders h
    set unverified_holder = g.unverified_holder, spend_controls = g.spend_controls
    from (select a.id, ledger_unverified_holder(w, a.id) as unverified_holder, ledger_spend_controls_of(w, a.id) as spend_controls
          from unnest(accounts) as a(id)) as g
    where h.workspace_id = w and h.account_id = g.id
      and (h.unverified_holder is distinct from g.unverified_holder or h.spend_controls is distinct from g.spend_controls);
end $$;

-- Migration 1650's triggers call it by this name.
create or replace function ledger_refresh_unverified_holder(w uuid, accounts uuid[]) returns void language sql as $$
  select ledger_refresh_gates(w, accounts)
$$;

-- The spend gates of a workspace change one transaction at a time: a control changed and an account
-- naming it anew, at once, would each read the other as it was before (neither waits for the other:
-- they change different rows), and the account would keep the control's old terms, or none. Each
-- takes this lock (until it ends) before it reads what it works the gate out from, so the second
-- reads what the first committed. Neither holds a ledger batch's rows waiting for it (batches read
-- the gates and never lock them), and a verification's refresh does not take it.
create function ledger_lock_spend_gates(w uuid) returns void language sql as $$
  select pg_advisory_xact_lock(1660, hashtext(w::text))
$$;

-- An account opened naming controls, or its spend_control_ids changed: those accounts. One
-- function for both kinds of statement; each reads only the transition tables its kind has.
create function accounts_refresh_spend_controls() returns trigger language plpgsql as $$
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
    perform ledger_refresh_gates(g.workspace_id, g.accounts);
  end loop;
  return null;
end $$;

create trigger accounts_spend_controls_on_insert after insert on accounts
  referencing new table as changed_new for each statement execute function accounts_refresh_spend_controls();
create trigger accounts_spend_controls_on_update after update on accounts
  referencing old table as changed_old new table as changed_new for each statement execute function accounts_refresh_spend_controls();

-- A control changed (made active or not, its limit, window, types, direction or MCCs): every
-- account of its workspace that names it, listed once the workspace's lock is held.
create function spend_controls_refresh_accounts() returns trigger language plpgsql as $$
declare
  accounts uuid[];
begin
  perform ledger_lock_spend_gates(new.workspace_id);
  accounts := array(select a.id from accounts a
    where a.workspace_id = new.workspace_id and jsonb_typeof(a.fields->'spend_control_ids') = 'array' and a.fields->'spend_control_ids' ? new.id::text
    order by a.id);
  if cardinality(accounts) > 0 then
    perform ledger_refresh_gates(new.workspace_id, accounts);
  end if;
  return null;
end $$;
create trigger spend_controls_accounts_on_update after update on spend_controls
  for each row execute function spend_controls_refresh_accounts();

-- The accounts there are.
select ledger_refresh_gates(a.workspace_id, array_agg(a.id order by a.id))
from accounts a
where jsonb_typeof(a.fields->'spend_control_ids') = 'array' and jsonb_array_length(a.fields->'spend_control_ids') > 0
group by a.workspace_id;
