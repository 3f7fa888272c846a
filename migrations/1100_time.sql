-- Interest, fees and statements on the workspace clock (docs/time.md).

-- How far each workspace's days have been closed (US Eastern calendar days). The day close of
-- an account is claimed by a row of time_account_days, so two processes closing the same day
-- charge and pay each account once; this cursor only says where the next close starts.
create table time_cursors (
  workspace_id uuid not null primary key,
  last_closed_day date not null
);

-- One row per account and day closed: the claim that makes the close run once, and the day's
-- interest accrual (micro-units: millionths of a minor unit).
create table time_account_days (
  workspace_id uuid not null,
  account_id uuid not null,
  day date not null,
  balance int8 not null,
  rate_bps int4 not null,
  accrued_micro int8 not null,
  created_at timestamptz not null,
  primary key (workspace_id, account_id, day)
);

-- Per account: interest accrued and not paid (micro-units, may carry a negative remainder after a
-- payout rounded up), what of it is capitalised for monthly compounding, and what has been paid.
create table interest_positions (
  workspace_id uuid not null,
  account_id uuid not null,
  accrued_micro int8 not null default 0,
  capitalised_micro int8 not null default 0,
  primary key (workspace_id, account_id)
);

-- Fees that could not be charged in full: the rest is owed and collected when funds arrive.
create table fees_owed (
  workspace_id uuid not null,
  id uuid not null,
  account_id uuid not null,
  fee_product_id uuid,
  fee_type text not null,
  currency text not null,
  amount int8 not null check (amount > 0),
  remaining int8 not null check (remaining >= 0 and remaining <= amount),
  cause_id uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index fees_owed_open on fees_owed (workspace_id, account_id) where remaining > 0;

create table statements (
  workspace_id uuid not null,
  id uuid not null,
  account_id uuid not null,
  start_date date not null,
  end_date date not null,
  issue_date date not null,
  period_start timestamptz not null,
  period_end timestamptz not null,
  opening_balance int8 not null,
  closing_balance int8 not null,
  total_credits int8 not null,
  total_debits int8 not null,
  interest_paid int8 not null,
  fees_charged int8 not null,
  fees_owed int8 not null,
  interest_accrued_micro int8 not null,
  apy_bps int4,
  currency text not null,
  created_at timestamptz not null,
  primary key (workspace_id, id),
  unique (workspace_id, account_id, start_date),
  check (opening_balance + total_credits - total_debits = closing_balance)
);
create index statements_by_account on statements (workspace_id, account_id, id);
