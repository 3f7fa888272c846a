-- Spend controls (configuration a fintech attaches to accounts through `spend_control_ids`) and
-- card authorization messages: every message a card network sends about a card (authorization,
-- incremental authorization, advice, clearing, reversal, financial, ATM withdrawal, balance
-- inquiry, original credit), approved or declined. Money never lives here: an approval is a hold
-- in the ledger (its pending transfer's id is `hold_id`), a capture or an immediate debit a posted
-- record. This table keeps what the network said and what Keel answered, and lets the engine find
-- the original of a follow-up message and sum what a rolling spend-control window has spent.

create table spend_controls (
  workspace_id uuid not null,
  id uuid not null,
  name text not null,
  is_active boolean not null,
  action_case boolean not null,
  action_decline boolean not null,
  amount_limit int8 not null check (amount_limit >= 0),
  direction text check (direction in ('CREDITS', 'DEBITS')),
  merchant_category_codes text[] not null default '{}',
  payment_types text[] not null default '{}',
  payment_sub_types text[] not null default '{}',
  time_range_type text not null check (time_range_type in ('SINGLE_TRANSACTION', 'ROLLING_WINDOW_DAYS')),
  window_days int check (window_days between 1 and 31),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  check ((time_range_type = 'ROLLING_WINDOW_DAYS') = (window_days is not null))
);

create table card_authorizations (
  workspace_id uuid not null,
  -- The transaction token the network and the simulations name it by.
  id uuid not null,
  card_id uuid not null,
  account_id uuid not null,
  -- authorization, authorization.incremental, authorization.advice, authorization.clearing,
  -- authorization.reversal, refund, pindebit, pindebit.atm.withdrawal, pindebit.balanceinquiry,
  -- original.credit, …
  type text not null,
  state text not null check (state in ('PENDING', 'CLEARED', 'COMPLETION', 'DECLINED', 'ERROR')),
  -- DEBITS or CREDITS: which way the message moves the cardholder's money.
  direction text not null check (direction in ('CREDITS', 'DEBITS')),
  requested_amount int8 not null check (requested_amount >= 0),
  -- What was approved (0 when declined).
  amount int8 not null check (amount >= 0),
  -- For an approved authorization: what it still holds or has spent, as later messages change it
  -- (the rolling spend-control windows sum it).
  net_amount int8 not null default 0,
  currency text not null,
  decline_reason text,
  original_id uuid,
  hold_id uuid,
  mid text,
  mcc text,
  network text not null,
  card_acceptor jsonb,
  created_at timestamptz not null,
  primary key (workspace_id, id)
);

create index card_authorizations_by_account on card_authorizations (workspace_id, account_id, created_at) where original_id is null and state <> 'DECLINED';
create index card_authorizations_by_card on card_authorizations (workspace_id, card_id, created_at);
create index card_authorizations_by_original on card_authorizations (workspace_id, original_id) where original_id is not null;
