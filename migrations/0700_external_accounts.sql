-- External accounts: a customer's or business's accounts at other banks, linked through a vendor
-- (Plaid) or added by hand with routing and account numbers; and the state of Keel's built-in
-- Plaid sandbox.

-- A vendor link (a Plaid item): the access token POST /v0/external_accounts/access_tokens
-- obtained for one customer or business. The token is kept encrypted (the vault), and found by its
-- SHA-256, so a database dump holds no usable token.
create table external_account_items (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  customer_id uuid,
  business_id uuid,
  vendor text not null check (vendor in ('PLAID')),
  access_token_sha256 text not null,
  access_token_encrypted text not null,
  vendor_item_id text not null,
  institution_id text not null,
  institution_name text,
  created_at timestamptz not null,
  -- Set when the last account of the item was deleted and the vendor was told to remove it.
  removed_at timestamptz,
  primary key (workspace_id, id),
  check ((customer_id is null) <> (business_id is null))
);
create unique index external_account_items_token on external_account_items (workspace_id, access_token_sha256);

create table external_accounts (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  customer_id uuid,
  business_id uuid,
  customer_type text not null check (customer_type in ('BUSINESS', 'PERSONAL')),
  -- MANUAL, or the vendor that linked it (then item_id and vendor_account_id are set).
  vendor text not null check (vendor in ('MANUAL', 'PLAID')),
  item_id uuid,
  vendor_account_id text,
  type text not null,
  status text not null check (status in ('ACTIVE', 'CLOSED', 'DELETED')),
  name text,
  nickname text,
  currency text not null,
  -- The full numbers are PII: encrypted; the last four shown; a SHA-256 of routing and
  -- number finds the same account added twice for one customer.
  account_number_encrypted text,
  account_number_last4 text,
  iban_encrypted text,
  iban_last4 text,
  numbers_sha256 text not null,
  -- routing_identifiers as the API shows them (routing numbers are public directory data).
  routing jsonb not null,
  account_owner_names jsonb not null,
  metadata jsonb,
  tenant text,
  vendor_data jsonb,
  -- Ownership verification (an ACH debit needs it, a credit does not).
  verification_status text not null check (verification_status in ('UNVERIFIED', 'VERIFIED')),
  verification_vendor text not null check (verification_vendor in ('FINICITY', 'MANUAL', 'PLAID')),
  verified_at timestamptz,
  verification_updated_at timestamptz,
  -- Which of name, phone, email and address matched the vendor's owner data, when it was checked.
  owner_match jsonb,
  transactions_synced_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, item_id) references external_account_items (workspace_id, id),
  check ((customer_id is null) <> (business_id is null)),
  check ((vendor = 'MANUAL') = (item_id is null)),
  check ((status = 'DELETED') = (deleted_at is not null))
);
-- One live account per number per owner; a deleted one stays readable as history.
create unique index external_accounts_numbers on external_accounts (workspace_id, coalesce(customer_id, business_id), numbers_sha256) where deleted_at is null;
create unique index external_accounts_vendor_account on external_accounts (workspace_id, item_id, vendor_account_id) where deleted_at is null;
create index external_accounts_customer on external_accounts (workspace_id, customer_id) where customer_id is not null;
create index external_accounts_business on external_accounts (workspace_id, business_id) where business_id is not null;

-- The built-in Plaid sandbox stands in for an outside service: its state is the vendor's, not a
-- workspace's, so, like the watchlist tables, it carries no workspace_id. Every token is a random
-- bearer value (128 bits) found by its SHA-256.
create table plaid_sandbox_link_tokens (
  token_sha256 text primary key,
  client_id text not null,
  client_name text not null,
  products text[] not null,
  language text not null,
  redirect_uri text,
  -- Update mode: the item whose login is repaired.
  item_id text,
  created_at timestamptz not null,
  expires_at timestamptz not null
);

create table plaid_sandbox_items (
  item_id text primary key,
  -- Set when the public token is exchanged (the access token is made then, and shown once).
  access_token_sha256 text unique,
  client_id text not null,
  institution_id text not null,
  username text not null,
  products text[] not null,
  -- The accounts the person chose in Link (masks); null: all of the user's accounts.
  account_masks text[],
  -- An item error Plaid reports on every call until the person links again (ITEM_LOGIN_REQUIRED).
  error_code text,
  created_at timestamptz not null,
  removed_at timestamptz
);

create table plaid_sandbox_public_tokens (
  token_sha256 text primary key,
  item_id text not null references plaid_sandbox_items (item_id),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  exchanged_at timestamptz
);
