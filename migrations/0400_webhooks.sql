-- Webhooks: subscriptions, the workspace's signing secret, and one delivery row per event and
-- matching webhook (the per-webhook event log the API lists, and the dispatcher's work queue).

create table webhooks (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  url text not null check (length(url) between 1 and 1000),
  -- Explicit spec event types and wildcards (ACCOUNT.*), validated by the API against the spec.
  enabled_events text[] not null check (cardinality(enabled_events) > 0),
  is_enabled boolean not null,
  description text,
  metadata text check (length(metadata) <= 1024),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- Soft delete: the delivery history keeps its webhook, and deleting never waits for the
  -- dispatcher's in-flight batch beyond the rows it has locked.
  deleted_at timestamptz,
  primary key (workspace_id, id)
);
-- The fan-out trigger looks up the live subscriptions of one workspace on every event insert.
create index webhooks_live on webhooks (workspace_id) where deleted_at is null and is_enabled;

-- One signing secret per workspace, encrypted with the vault. During a rolling replacement the
-- previous secret stays valid until previous_expires_at.
create table webhook_secrets (
  workspace_id uuid primary key references workspaces (id),
  secret_encrypted text not null,
  previous_secret_encrypted text,
  previous_expires_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check ((previous_secret_encrypted is null) = (previous_expires_at is null))
);

create table webhook_deliveries (
  workspace_id uuid not null,
  webhook_id uuid not null,
  event_id uuid not null,
  -- The spec's event status: RUNNING (not attempted yet in this round), RETRYING (an attempt
  -- failed, another is scheduled), SUCCESS, FAILED (attempts or retry window exhausted).
  status text not null check (status in ('RUNNING', 'RETRYING', 'SUCCESS', 'FAILED')),
  -- Attempts in the current round; a resend starts a new round.
  attempts int not null default 0 check (attempts >= 0),
  -- When the next attempt is due ('-infinity': at once, whatever the clock says); null when done.
  next_attempt_at timestamptz,
  -- The first attempt of the current round: the retry window is measured from it.
  round_started_at timestamptz,
  response_history jsonb not null default '[]',
  primary key (workspace_id, webhook_id, event_id),
  foreign key (workspace_id, webhook_id) references webhooks (workspace_id, id),
  foreign key (workspace_id, event_id) references events (workspace_id, id),
  check ((status in ('RUNNING', 'RETRYING')) = (next_attempt_at is not null))
);
-- The dispatcher's queue: pending deliveries of one webhook by due time.
create index webhook_deliveries_due on webhook_deliveries (workspace_id, webhook_id, next_attempt_at)
  where status in ('RUNNING', 'RETRYING');

-- Does a subscription (explicit types and wildcards) match an event type? 'ACCOUNT.*' matches
-- every type that starts with 'ACCOUNT.', including types added to the spec later.
create function webhook_subscription_matches(patterns text[], event_type text) returns boolean
language sql immutable parallel safe as $$
  select exists (
    select 1 from unnest(patterns) as p
    where p = event_type or (p like '%.*' and starts_with(event_type, left(p, -1))))
$$;

-- Fan-out in the event's own transaction: a committed event has its delivery rows, an aborted
-- one has none, so no event is missed or invented whichever process or domain wrote it, and no
-- cursor is needed. Workspaces without subscriptions pay one index probe. The notification is
-- sent at commit (identical payloads in a transaction are folded into one) and wakes the
-- dispatchers; they also poll, so a lost notification only delays.
create function webhook_fan_out() returns trigger language plpgsql as $$
begin
  insert into webhook_deliveries (workspace_id, webhook_id, event_id, status, next_attempt_at)
  select new.workspace_id, w.id, new.id, 'RUNNING', '-infinity'
  from webhooks w
  where w.workspace_id = new.workspace_id and w.deleted_at is null and w.is_enabled
    and webhook_subscription_matches(w.enabled_events, new.type);
  if found then
    perform pg_notify('keel_webhook_deliveries', '');
  end if;
  return null;
end
$$;

create trigger events_webhook_fan_out after insert on events
  for each row execute function webhook_fan_out();
