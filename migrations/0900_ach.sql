-- ACH: outgoing entries (originated by the fintech, and the returns Keel sends for incoming
-- entries it cannot post), incoming entries (applied from files, or waiting for their effective
-- date), the NACHA files cut and received, and the fintech's gateways for incoming debits.
--
-- Money is never here: an entry names the ledger records that moved it (ledger_hold_id,
-- settlement_transfer_id, …). Times that fall due on the workspace clock (cut_at, settle_at,
-- apply_at) are indexed per workspace with the status that makes them due.

create table ach_files (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  direction text not null check (direction in ('OUTGOING', 'INCOMING')),
  -- OUTGOING: CUT (sent), SETTLED. INCOMING: APPLIED, SCHEDULED (entries waiting for their date).
  status text not null check (status in ('CUT', 'SETTLED', 'APPLIED', 'SCHEDULED')),
  window_name text,
  sha256 text not null,
  content text not null,
  entry_count int not null,
  debit_total int8 not null,
  credit_total int8 not null,
  created_at timestamptz not null,
  primary key (workspace_id, id)
);
-- A file is applied once: the same bytes ingested again are found by their hash.
create unique index ach_files_incoming_hash on ach_files (workspace_id, sha256) where direction = 'INCOMING';

create table ach_outgoing (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  -- ORIGINATION: POST /v0/ach. RETURN: Keel returning an incoming entry (its incoming_ach_id).
  kind text not null check (kind in ('ORIGINATION', 'RETURN')),
  status text not null check (status in ('INIT', 'PENDING', 'COMPLETE', 'CANCELED', 'DECLINED')),
  customer_id uuid,
  source_account_id uuid,
  source_account_no text not null,
  source_account_name text,
  external_account_id uuid,
  account_no text not null,
  routing_no text not null,
  account_name text,
  account_type text not null,
  dc_sign text not null check (dc_sign in ('credit', 'debit')),
  amount int8 not null check (amount >= 0),
  currency text not null,
  sec_code text not null,
  is_same_day boolean not null,
  effective_date text not null check (effective_date ~ '^\d{4}-\d{2}-\d{2}$'),
  trace_no text not null,
  company_name text not null,
  company_id text not null,
  company_entry_description text not null,
  memo text not null,
  reference_info text,
  external_data jsonb,
  final_customer_id uuid,
  hold jsonb,
  window_name text not null,
  cut_at timestamptz not null,
  settle_at timestamptz not null,
  file_id uuid,
  ledger_hold_id uuid,
  settlement_transfer_id uuid,
  availability_hold_id uuid,
  return_code text,
  original_trace text,
  incoming_ach_id uuid,
  return_data jsonb,
  idempotency_key text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create unique index ach_outgoing_trace on ach_outgoing (workspace_id, trace_no);
create index ach_outgoing_cut on ach_outgoing (workspace_id, cut_at) where status = 'INIT';
create index ach_outgoing_settle on ach_outgoing (workspace_id, settle_at) where status = 'PENDING';
create index ach_outgoing_effective on ach_outgoing (workspace_id, effective_date, id);

create table ach_incoming (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  file_id uuid not null,
  status text not null check (status in ('ERROR', 'IGNORED', 'INIT', 'IN_SUSPENSE', 'POSTED', 'RETURNED')),
  account_id uuid,
  account_no text not null,
  amount int8 not null,
  dc_sign text not null,
  transaction_code text not null,
  sec_code text not null,
  company_name text not null,
  company_entry_description text not null,
  company_id text not null,
  identification_number text not null,
  individual_name text not null,
  originating_routing_number text not null,
  trace_no text not null,
  effective_date text not null check (effective_date ~ '^\d{4}-\d{2}-\d{2}$'),
  settlement_date text not null,
  is_future_dated boolean not null,
  is_prenote boolean not null,
  apply_at timestamptz,
  external_id uuid,
  decline_reason text,
  reference_info jsonb not null default '[]',
  return_data jsonb,
  notification_of_change jsonb,
  outgoing_ach_id uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index ach_incoming_due on ach_incoming (workspace_id, apply_at) where status = 'INIT';
create index ach_incoming_account on ach_incoming (workspace_id, account_id, id);

create table ach_gateways (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  url text not null,
  custom_headers_encrypted text,
  disabled boolean not null,
  max_wait_ms int not null check (max_wait_ms between 1 and 32000),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);

-- The 7-digit sequence of the trace numbers Keel gives outgoing entries (after the ODFI's 8-digit
-- routing prefix); it wraps, and the unique index on (workspace_id, trace_no) stands guard.
create sequence ach_trace_seq minvalue 1 maxvalue 9999999 cycle;

-- The workspace's ODFI settings for the files Keel cuts; a workspace without a row uses the
-- defaults in src/ach/settings.ts (Keel's routing number as immediate origin, the Fed as destination).
create table ach_settings (
  workspace_id uuid primary key references workspaces (id),
  immediate_origin text not null,
  immediate_origin_name text not null,
  immediate_destination text not null,
  immediate_destination_name text not null,
  company_id text not null,
  company_name text not null,
  updated_at timestamptz not null
);
