-- Money moves on a holder's behalf only while the account's holders are verified (the KYC/KYB gate
-- at opening, kept for the account's life). `ledger_account_holders.unverified_holder` names the
-- kind of the first holder (PRIMARY_ACCOUNT_HOLDER or ACCOUNT_HOLDER, the relationships gated at
-- opening) whose verification_status is not ACCEPTED, persons first; null (or no row) when every
-- holder is verified, and for internal and system accounts. The ledger reads it with each account
-- (src/ledger/store.ts) and its rules decide on it (src/ledger/rules.ts); these triggers keep it,
-- whichever path changes a holder's verification or an account's relationships, so no path can
-- forget it.
--
-- A table of its own, not a column of ledger_accounts: a verification that changes several parties
-- (a business and its owners) would otherwise lock their ledger rows party by party, in no order a
-- ledger batch shares, and the two would deadlock. The ledger's batches never lock these rows; they
-- read them with the accounts they lock, and a batch decided from memory compares them, as it
-- compares an account's status, before it writes.
create table ledger_account_holders (
  workspace_id uuid not null,
  account_id uuid not null,
  unverified_holder text check (unverified_holder in ('PERSON', 'BUSINESS')),
  primary key (workspace_id, account_id)
);

create function ledger_unverified_holder(w uuid, account uuid) returns text language sql stable as $$
  select case
    when exists (select 1 from account_relationships r join persons p on p.workspace_id = r.workspace_id and p.id = r.person_id
                 where r.workspace_id = w and r.account_id = account and r.relationship_type in ('PRIMARY_ACCOUNT_HOLDER', 'ACCOUNT_HOLDER')
                   and p.verification_status <> 'ACCEPTED') then 'PERSON'
    when exists (select 1 from account_relationships r join businesses b on b.workspace_id = r.workspace_id and b.id = r.business_id
                 where r.workspace_id = w and r.account_id = account and r.relationship_type in ('PRIMARY_ACCOUNT_HOLDER', 'ACCOUNT_HOLDER')
                   and b.verification_status <> 'ACCEPTED') then 'BUSINESS'
  end
$$;

-- Sets the value anew for the workspace's accounts named. Each account's row is made if missing and
-- locked, in id order, before its value is worked out, and worked out by a later statement, which
-- sees what was committed by the time the lock was held: two changes to different holders of one
-- account wait on each other here, and the second sees the first (no write skew).
create function ledger_refresh_unverified_holder(w uuid, accounts uuid[]) returns void language plpgsql as $$
begin
  insert into ledger_account_holders (workspace_id, account_id)
    select l.workspace_id, l.id from ledger_accounts l where l.workspace_id = w and l.id = any(accounts) order by l.id
    on conflict do nothing;
  perform 1 from ledger_account_holders h where h.workspace_id = w and h.account_id = any(accounts) order by h.account_id for update;
  update ledger_account_holders h set unverified_holder = ledger_unverified_holder(h.workspace_id, h.account_id)
    where h.workspace_id = w and h.account_id = any(accounts)
      and h.unverified_holder is distinct from ledger_unverified_holder(h.workspace_id, h.account_id);
end $$;

-- A relationship added, changed or removed: its account, statement by statement (a wipe's delete
-- refreshes each workspace once). One function for the three kinds of statement: each reads only
-- the transition tables its kind has.
create function account_relationships_refresh_holders() returns trigger language plpgsql as $$
declare
  keys jsonb := '[]';
  g record;
begin
  if tg_op <> 'DELETE' then
    keys := keys || (select coalesce(jsonb_agg(jsonb_build_array(workspace_id, account_id)), '[]') from changed_new);
  end if;
  if tg_op <> 'INSERT' then
    keys := keys || (select coalesce(jsonb_agg(jsonb_build_array(workspace_id, account_id)), '[]') from changed_old);
  end if;
  for g in select (k->>0)::uuid as workspace_id, array_agg(distinct (k->>1)::uuid) as accounts from jsonb_array_elements(keys) as k group by 1 loop
    perform ledger_refresh_unverified_holder(g.workspace_id, g.accounts);
  end loop;
  return null;
end $$;

create trigger account_relationships_holders_on_insert after insert on account_relationships
  referencing new table as changed_new for each statement execute function account_relationships_refresh_holders();
create trigger account_relationships_holders_on_update after update on account_relationships
  referencing old table as changed_old new table as changed_new for each statement execute function account_relationships_refresh_holders();
create trigger account_relationships_holders_on_delete after delete on account_relationships
  referencing old table as changed_old for each statement execute function account_relationships_refresh_holders();

-- A holder's verification changed: every account it is a holder of (a person's, or a business's).
create function parties_refresh_holders() returns trigger language plpgsql as $$
declare
  accounts uuid[];
begin
  -- Each by its own index (account_relationships_person, account_relationships_business).
  if tg_table_name = 'persons' then
    accounts := array(select distinct account_id from account_relationships where workspace_id = new.workspace_id and person_id = new.id);
  else
    accounts := array(select distinct account_id from account_relationships where workspace_id = new.workspace_id and business_id = new.id);
  end if;
  perform ledger_refresh_unverified_holder(new.workspace_id, accounts);
  return null;
end $$;
create trigger persons_holders_on_verification after update of verification_status on persons
  for each row when (old.verification_status is distinct from new.verification_status) execute function parties_refresh_holders();
create trigger businesses_holders_on_verification after update of verification_status on businesses
  for each row when (old.verification_status is distinct from new.verification_status) execute function parties_refresh_holders();

-- The accounts there are.
insert into ledger_account_holders (workspace_id, account_id, unverified_holder)
  select l.workspace_id, l.id, ledger_unverified_holder(l.workspace_id, l.id) from ledger_accounts l
  where l.kind = 'ACCOUNT' and ledger_unverified_holder(l.workspace_id, l.id) is not null;
