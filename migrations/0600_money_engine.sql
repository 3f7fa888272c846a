-- The money engine (src/ledger/rules.ts): every change to money is a new, immutable transfer record.
--
-- ledger_transfers.action says which command wrote a record:
--   post            entries (two or more legs), status POSTED
--   pending         a hold, status PENDING, no entries
--   post_pending    a capture of (part of) a pending transfer named by pending_id: entries, POSTED
--   adjust_pending  a change of what a pending transfer holds (amount is the signed change), PENDING
--   void_pending    the release of what it still holds, CANCELED
--   expire_pending  the same, written by the clock, EXPIRED
-- A record's status never changes again. What a pending transfer still holds lives in ledger_holds,
-- which changes with the account balances (captured so far, current status).
--
-- group_id links records that were applied together, all or nothing (a fee with its principal).

alter table ledger_transfers add column action text not null default 'post'
  check (action in ('post', 'pending', 'post_pending', 'adjust_pending', 'void_pending', 'expire_pending'));
alter table ledger_transfers add column pending_id uuid;
alter table ledger_transfers add column group_id uuid;
alter table ledger_transfers drop constraint ledger_transfers_amount_check;
alter table ledger_transfers add constraint ledger_transfers_amount_check check (amount > 0 or (action = 'adjust_pending' and amount <> 0));
alter table ledger_transfers add constraint ledger_transfers_pending_id check ((pending_id is null) = (action in ('post', 'pending')));
create index ledger_transfers_pending on ledger_transfers (workspace_id, pending_id) where pending_id is not null;

alter table ledger_holds add column captured int8 not null default 0 check (captured >= 0);
alter table ledger_holds add column credit_account_id uuid;
update ledger_holds h set credit_account_id = t.credit_account_id
  from ledger_transfers t where t.workspace_id = h.workspace_id and t.id = h.id;
alter table ledger_holds alter column credit_account_id set not null;
alter table ledger_holds add constraint ledger_holds_captured check (captured <= amount);
-- The expiry worker and a sandbox clock advance find what falls due through this.
create index ledger_holds_pending_expiry on ledger_holds (expires_at) where status = 'PENDING';

-- Statements: an account's balance as of any instant is the sum of its entries up to then, read
-- from this index alone.
create index ledger_entries_account_time on ledger_entries (workspace_id, account_id, created_at) include (amount);
drop index ledger_entries_account;

-- Records written before this migration were rewritten in place when a hold settled: the pending
-- transfer's row took the capture's status and entries. Split each into its pending record and a
-- record of how it settled, with a deterministic id, and move the capture's entries and events to it.
create temporary table settled_holds on commit drop as
  select h.workspace_id, h.id, h.status, h.updated_at, h.amount,
    md5(h.id::text || ':settled')::uuid as record_id
  from ledger_holds h where h.status <> 'PENDING';

insert into ledger_transfers (workspace_id, id, seq, kind, type, action, status, currency, amount, debit_account_id, credit_account_id,
    pending_id, idempotency_key, reference_id, memo, expires_at, details, created_at, updated_at, posted_at)
  select t.workspace_id, s.record_id, nextval(pg_get_serial_sequence('ledger_transfers', 'seq')), t.kind, t.type,
    case s.status when 'CLEARED' then 'post_pending' when 'RELEASED' then 'void_pending' else 'expire_pending' end,
    case s.status when 'CLEARED' then 'POSTED' when 'RELEASED' then 'CANCELED' else 'EXPIRED' end,
    t.currency, t.amount, t.debit_account_id, t.credit_account_id, t.id, null, t.reference_id, t.memo, null, '{}',
    s.updated_at, s.updated_at, case s.status when 'CLEARED' then s.updated_at end
  from settled_holds s join ledger_transfers t on t.workspace_id = s.workspace_id and t.id = s.id;

update ledger_entries e set transfer_id = s.record_id
  from settled_holds s where s.status = 'CLEARED' and e.workspace_id = s.workspace_id and e.transfer_id = s.id;
update events v set resource_id = s.record_id
  from settled_holds s where s.status = 'CLEARED' and v.workspace_id = s.workspace_id and v.resource_id = s.id
    and v.resource_view = 'posted_transaction';
update ledger_transfers t set status = 'PENDING', action = 'pending', posted_at = null, updated_at = t.created_at
  from settled_holds s where t.workspace_id = s.workspace_id and t.id = s.id;
update ledger_transfers t set action = 'pending' where t.status = 'PENDING' and t.action = 'post';
update ledger_holds h set captured = s.amount
  from settled_holds s where s.status = 'CLEARED' and h.workspace_id = s.workspace_id and h.id = s.id;

-- A sandbox workspace's clock runs this far ahead of real time (POST /v0/sandbox/clock/advance).
-- Live workspaces never have a row: they follow real time.
create table workspace_clocks (
  workspace_id uuid not null primary key references workspaces (id),
  offset_ms int8 not null check (offset_ms >= 0),
  updated_at timestamptz not null
);

-- Idempotency-Key outcomes are kept 24 hours (src/platform/idempotency.ts); the purge finds the
-- old ones through this.
create index idempotency_keys_created on idempotency_keys (created_at);
