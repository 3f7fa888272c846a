-- ACH, third step.
-- A settled debit's return that the account cannot cover: the return takes what the account has
-- above its floor, the rest comes from the bank's ACH returns receivable account (a SYSTEM ledger
-- account), and the account owes it. What is owed is collected, oldest first, at the end of each
-- US Eastern day as funds arrive (next_collection_at, on the workspace clock).
create table ach_shortfalls (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  account_id uuid not null,
  -- The entry whose return left the shortfall, and its trace (the collections' reference).
  outgoing_ach_id uuid not null,
  trace_no text not null,
  currency text not null,
  amount int8 not null check (amount > 0),
  remaining int8 not null check (remaining >= 0 and remaining <= amount),
  next_collection_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index ach_shortfalls_open on ach_shortfalls (workspace_id, next_collection_at) where remaining > 0;
create index ach_shortfalls_account on ach_shortfalls (workspace_id, account_id) where remaining > 0;

-- The individual identification number an entry Keel sends carries: for what it sends back about
-- an entry it received (return, dishonored return, contested dishonored return), the received
-- entry's, as NACHA asks (a field an R69 dishonor may name, 04). Null: the entry's own id, as
-- originations carry and as returns recorded before this column carried.
alter table ach_outgoing add column identification_number text;
