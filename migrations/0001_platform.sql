-- Platform: workspaces (tenants), API keys, idempotency records and the event outbox.
-- Tenancy rule for every table in Keel: a workspace_id column that leads the primary key and
-- every unique index, and foreign keys that include it, so no row can refer across workspaces.

create table workspaces (
  id uuid primary key,
  name text not null unique,
  mode text not null check (mode in ('sandbox', 'live')),
  created_at timestamptz not null default now()
);

create table api_keys (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  -- SHA-256 of the whole key; the key itself is shown once and never stored.
  key_hash text not null,
  -- The first characters of the key, enough to recognise it in a list.
  key_prefix text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  primary key (workspace_id, id)
);
create unique index api_keys_hash on api_keys (key_hash);

create table idempotency_keys (
  workspace_id uuid not null references workspaces (id),
  key text not null,
  -- SHA-256 of method, path and body: the same key with another request is refused.
  request_hash text not null,
  response_status int not null,
  response_body jsonb,
  created_at timestamptz not null default now(),
  primary key (workspace_id, key)
);

-- The outbox: one row per state change, written in the change's own transaction.
create table events (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  type text not null,
  resource_id uuid not null,
  -- The resource as the API shows it after the change, and the prior values of what changed.
  resource jsonb not null,
  changed_fields jsonb,
  event_time timestamptz not null default now(),
  primary key (workspace_id, id)
);
create index events_resource on events (workspace_id, resource_id, id);
