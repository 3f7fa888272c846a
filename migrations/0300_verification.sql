-- KYC/KYB verification results, watchlist lists, monitoring subscriptions and alerts.

-- A sanctions list as imported. The list is the same for every workspace (OFAC publishes one), so
-- these two tables are platform data, like workspaces, and carry no workspace_id. The raw files are
-- kept so that every process parses exactly the list the import loaded; at most one list per
-- source is current, switched in the import's transaction.
create table watchlist_lists (
  id uuid primary key,
  source text not null,
  version text not null,
  list_date date,
  entry_count integer not null check (entry_count > 0),
  is_current boolean not null default false,
  imported_at timestamptz not null,
  -- Set when every monitoring subscription has been screened against this list.
  rescreened_at timestamptz
);
create unique index watchlist_lists_one_current on watchlist_lists (source) where is_current;

create table watchlist_list_files (
  list_id uuid not null references watchlist_lists (id),
  name text not null,
  content text not null,
  primary key (list_id, name)
);

-- One row per verification result. A newer result of the same type for the same party supersedes
-- the older one (is_current), which GET /v0/verifications shows only with include_history=true.
create table verifications (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  person_id uuid,
  business_id uuid,
  verification_type text not null,
  result text not null,
  verification_time timestamptz not null,
  is_current boolean not null default true,
  -- The POST /v0/verifications/verify call that produced it; null for uploaded vendor results.
  run_id uuid,
  details jsonb,
  vendor_info jsonb,
  metadata jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, person_id) references persons (workspace_id, id),
  foreign key (workspace_id, business_id) references businesses (workspace_id, id),
  check (num_nonnulls(person_id, business_id) = 1)
);
create index verifications_person on verifications (workspace_id, person_id, verification_type) where person_id is not null;
create index verifications_business on verifications (workspace_id, business_id, verification_type) where business_id is not null;
create unique index verifications_one_current_person on verifications (workspace_id, person_id, verification_type) where is_current and person_id is not null;
create unique index verifications_one_current_business on verifications (workspace_id, business_id, verification_type) where is_current and business_id is not null;

-- POST /v0/verifications/adhoc: a payee screened on a payer's behalf.
create table adhoc_verifications (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  payer_id uuid not null,
  payee_id uuid not null,
  result text not null,
  matching_watchlists text[] not null,
  matches jsonb not null,
  list_version text not null,
  created_at timestamptz not null,
  primary key (workspace_id, id)
);

create table monitoring_subscriptions (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  person_id uuid,
  business_id uuid,
  metadata jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, person_id) references persons (workspace_id, id),
  foreign key (workspace_id, business_id) references businesses (workspace_id, id),
  check (num_nonnulls(person_id, business_id) = 1)
);
create unique index monitoring_subscriptions_person on monitoring_subscriptions (workspace_id, person_id) where person_id is not null;
create unique index monitoring_subscriptions_business on monitoring_subscriptions (workspace_id, business_id) where business_id is not null;

-- An alert names the listed entry it is about: one alert per party and entry, so re-screening after
-- an import never repeats an alert (a SUPPRESSED one stays suppressed).
create table monitoring_alerts (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  person_id uuid,
  business_id uuid,
  status text not null check (status in ('ACTIVE', 'SUPPRESSED')),
  alert_type text not null,
  title text not null,
  watchlist_source text not null,
  watchlist_entry_id integer not null,
  score numeric(5, 4) not null,
  list_version text not null,
  vendor_info jsonb not null,
  metadata jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, person_id) references persons (workspace_id, id),
  foreign key (workspace_id, business_id) references businesses (workspace_id, id),
  check (num_nonnulls(person_id, business_id) = 1)
);
create unique index monitoring_alerts_person_entry on monitoring_alerts (workspace_id, person_id, watchlist_source, watchlist_entry_id) where person_id is not null;
create unique index monitoring_alerts_business_entry on monitoring_alerts (workspace_id, business_id, watchlist_source, watchlist_entry_id) where business_id is not null;
