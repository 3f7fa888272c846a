-- Cards: issued cards and their PANs, the history /cards/{id}/changes lists, widget access
-- tokens, custom card images, authorization gateway configurations and digital wallet tokens.
-- Card products are not rows: a sandbox workspace's products are a fixed catalogue in code
-- (src/cards/products.ts), with ids derived from the workspace id.
--
-- A PAN is stored once, encrypted (AES-256-GCM, the vault that encrypts SSNs), with a keyed
-- fingerprint (HMAC-SHA-256) that makes it unique per workspace without storing it in a form a
-- dump could reverse; a plain hash would not do, since a PAN with a known BIN has only ~10^9
-- possible values. Cards reissued with the same PAN share the card_pans row. CVVs and activation
-- codes are encrypted per card; PINs are kept only as salted scrypt hashes.

create table card_pans (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  fingerprint text not null,
  pan_encrypted text not null,
  created_at timestamptz not null,
  primary key (workspace_id, id)
);
create unique index card_pans_fingerprint on card_pans (workspace_id, fingerprint);

create table card_images (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  card_product_id uuid not null,
  customer_id uuid not null,
  status text not null check (status in ('NOT_UPLOADED', 'UNREVIEWED', 'APPROVED', 'REJECTED')),
  rejection_reason text,
  rejection_memo text,
  data bytea,
  width int,
  height int,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  check ((status = 'NOT_UPLOADED') = (data is null))
);
create index card_images_customer on card_images (workspace_id, customer_id, id);

create table cards (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  pan_id uuid not null,
  card_product_id uuid not null,
  form text not null check (form in ('PHYSICAL', 'VIRTUAL')),
  card_type text not null,
  card_brand text not null,
  bin text not null,
  last_four text not null check (last_four ~ '^[0-9]{4}$'),
  account_id uuid not null,
  customer_id uuid,
  business_id uuid,
  card_status text not null,
  status_reason text,
  memo text,
  fulfillment_status text,
  fulfillment_details jsonb,
  cvv_encrypted text not null,
  expiration_time timestamptz not null,
  activation_code_encrypted text,
  activation_code_fingerprint text,
  pin_hash text,
  pin_set_at timestamptz,
  reissue_reason text,
  reissued_from_id uuid,
  reissued_to_id uuid,
  card_image_id uuid,
  emboss_name jsonb,
  shipping jsonb,
  metadata jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, pan_id) references card_pans (workspace_id, id),
  foreign key (workspace_id, card_image_id) references card_images (workspace_id, id),
  check (customer_id is not null or business_id is not null),
  check ((form = 'PHYSICAL') = (fulfillment_status is not null))
);
create index cards_account on cards (workspace_id, account_id, id);
create index cards_customer on cards (workspace_id, customer_id, id);
-- The expiry worker's scan: cards not yet terminated, by when they expire.
create index cards_expiring on cards (expiration_time) where card_status <> 'TERMINATED';
create unique index cards_activation_code on cards (workspace_id, activation_code_fingerprint) where activation_code_fingerprint is not null;

create table card_changes (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  card_id uuid not null,
  change_type text not null check (change_type in ('FULFILLMENT', 'PIN', 'STATUS')),
  channel text not null,
  state text not null,
  reason text,
  memo text,
  updated_by text not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, card_id) references cards (workspace_id, id)
);
create index card_changes_card on card_changes (workspace_id, card_id, id);

-- Widget access: the API hands out a token once; only its SHA-256 is kept.
create table card_access_tokens (
  workspace_id uuid not null references workspaces (id),
  token_hash text not null,
  kind text not null check (kind in ('CLIENT', 'SINGLE_USE')),
  card_id uuid,
  account_id uuid,
  customer_id uuid,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null,
  primary key (workspace_id, token_hash),
  check ((kind = 'CLIENT') = (card_id is not null))
);

-- Origins allowed to frame the card widget pages (Content-Security-Policy frame-ancestors).
-- Configuration: wipe keeps it.
create table card_widget_origins (
  workspace_id uuid not null references workspaces (id),
  origin text not null,
  primary key (workspace_id, origin)
);

-- Authorization gateways: configuration, kept by wipe. Custom headers often carry the
-- fintech's credentials for its gateway, so they are stored encrypted.
create table card_gateways (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  url text not null,
  active boolean not null,
  card_products uuid[] not null,
  custom_headers_encrypted text,
  standin jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);

create table digital_wallet_tokens (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  card_id uuid not null,
  type text not null,
  state text not null check (state in ('ACTIVE', 'REQUESTED', 'REQUEST_DECLINED', 'SUSPENDED', 'TERMINATED')),
  device_type text not null,
  device_id text,
  token_reference_id text not null,
  requested_time timestamptz not null,
  approved_time timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, card_id) references cards (workspace_id, id)
);
create index digital_wallet_tokens_card on digital_wallet_tokens (workspace_id, card_id, id);
