-- Money moves on a holder's behalf only while the account's holders are verified (the KYC/KYB gate
-- at opening, kept for the account's life): `unverified_holder` names the kind of the first holder
-- (PRIMARY_ACCOUNT_HOLDER or ACCOUNT_HOLDER, the relationships gated at opening) whose
-- verification_status is not ACCEPTED, persons first; null when every holder is verified, and for
-- internal and system accounts. The ledger's rules read it with the account's other terms
-- (src/ledger/rules.ts); these triggers keep it, whichever path changes a holder's verification or
-- an account's relationships, so no path can forget it.
alter table ledger_accounts add column unverified_holder text check (unverified_holder in ('PERSON', 'BUSINESS'));

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

-- Sets the column anew on the workspace's accounts that need it, locking them in id order first,
-- as the ledger's batches lock accounts, so a holder's verification never waits on a batch in a
-- cycle.
create function ledger_refresh_unverified_holder(w uuid, accounts uuid[]) returns void language sql as $$
  with changed as (
    select l.workspace_id, l.id from ledger_accounts l
    where l.workspace_id = w and l.id = any(accounts) and l.unverified_holder is distinct from ledger_unverified_holder(l.workspace_id, l.id)
    order by l.id
    for no key update)
  update ledger_accounts l set unverified_holder = ledger_unverified_holder(l.workspace_id, l.id)
  from changed c where l.workspace_id = c.workspace_id and l.id = c.id
$$;

-- A relationship added, changed or removed: its account (statement by statement, so a wipe's delete
-- refreshes each workspace once).
create function account_relationships_refresh_holders() returns trigger language plpgsql as $$
declare
  g record;
begin
  for g in
    select workspace_id, array_agg(distinct account_id) as accounts from (
      select workspace_id, account_id from changed_new
      union all select workspace_id, account_id from changed_old) as x
    group by workspace_id
  loop
    perform ledger_refresh_unverified_holder(g.workspace_id, g.accounts);
  end loop;
  return null;
end $$;

-- Each kind of statement gets its transition tables; an empty one stands in for the one it lacks.
create function account_relationships_refresh_inserted() returns trigger language plpgsql as $$
declare
  g record;
begin
  for g in select workspace_id, array_agg(distinct account_id) as accounts from changed_new group by workspace_id loop
    perform ledger_refresh_unverified_holder(g.workspace_id, g.accounts);
  end loop;
  return null;
end $$;
create function account_relationships_refresh_deleted() returns trigger language plpgsql as $$
declare
  g record;
begin
  for g in select workspace_id, array_agg(distinct account_id) as accounts from changed_old group by workspace_id loop
    perform ledger_refresh_unverified_holder(g.workspace_id, g.accounts);
  end loop;
  return null;
end $$;

create trigger account_relationships_holders_on_insert after insert on account_relationships
  referencing new table as changed_new for each statement execute function account_relationships_refresh_inserted();
create trigger account_relationships_holders_on_update after update on account_relationships
  referencing old table as changed_old new table as changed_new for each statement execute function account_relationships_refresh_holders();
create trigger account_relationships_holders_on_delete after delete on account_relationships
  referencing old table as changed_old for each statement execute function account_relationships_refresh_deleted();

-- A holder's verification changed: every account it is a holder of.
create function persons_refresh_holders() returns trigger language plpgsql as $$
begin
  perform ledger_refresh_unverified_holder(new.workspace_id,
    array(select distinct account_id from account_relationships where workspace_id = new.workspace_id and person_id = new.id));
  return null;
end $$;
create trigger persons_holders_on_verification after update of verification_status on persons
  for each row when (old.verification_status is distinct from new.verification_status) execute function persons_refresh_holders();

create function businesses_refresh_holders() returns trigger language plpgsql as $$
begin
  perform ledger_refresh_unverified_holder(new.workspace_id,
    array(select distinct account_id from account_relationships where workspace_id = new.workspace_id and business_id = new.id));
  return null;
end $$;
create trigger businesses_holders_on_verification after update of verification_status on businesses
  for each row when (old.verification_status is distinct from new.verification_status) execute function businesses_refresh_holders();

-- The accounts there are.
update ledger_accounts l set unverified_holder = ledger_unverified_holder(l.workspace_id, l.id)
where l.kind = 'ACCOUNT' and ledger_unverified_holder(l.workspace_id, l.id) is not null;
