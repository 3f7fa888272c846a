-- Customers: persons (and their customer view), personal ids, businesses, relationships between
-- parties, addresses and disclosures. Fields the API only stores and returns live in `fields`
-- (jsonb); fields Keel filters on or enforces rules over have columns of their own. SSNs, EINs
-- and personal id numbers are stored only encrypted (AES-256-GCM), with the last four digits
-- apart for masking and search.

create table persons (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  is_customer boolean not null,
  status text not null,
  verification_status text not null default 'UNVERIFIED',
  verification_last_run timestamptz,
  ban_status text not null default 'ALLOWED',
  first_name text,
  last_name text,
  email text,
  phone_number text,
  dob date,
  ssn_encrypted text,
  ssn_last4 text,
  fields jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index persons_last_name on persons (workspace_id, last_name);
create index persons_ssn_last4 on persons (workspace_id, ssn_last4);

create table personal_ids (
  workspace_id uuid not null,
  id uuid not null,
  person_id uuid not null,
  id_type text not null,
  country_code text not null,
  identifier_encrypted text not null,
  identifier_last4 text not null,
  system_provided boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, person_id) references persons (workspace_id, id)
);
create index personal_ids_person on personal_ids (workspace_id, person_id);

create table businesses (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  is_customer boolean not null,
  status text not null,
  verification_status text not null default 'UNVERIFIED',
  verification_last_run timestamptz,
  entity_name text,
  email text,
  phone_number text,
  ein_encrypted text,
  ein_last4 text,
  fields jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index businesses_entity_name on businesses (workspace_id, entity_name);

create table relationships (
  workspace_id uuid not null,
  id uuid not null,
  relationship_type text not null,
  from_person_id uuid,
  from_business_id uuid,
  to_business_id uuid,
  to_person_id uuid,
  -- BENEFICIAL_OWNER_OF and OWNER_OF: the owner's share, 0 < p <= 100.
  ownership_percentage numeric(7, 4) check (ownership_percentage > 0 and ownership_percentage <= 100),
  fields jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, from_person_id) references persons (workspace_id, id),
  foreign key (workspace_id, from_business_id) references businesses (workspace_id, id),
  foreign key (workspace_id, to_business_id) references businesses (workspace_id, id),
  foreign key (workspace_id, to_person_id) references persons (workspace_id, id),
  check (num_nonnulls(from_person_id, from_business_id) = 1)
);
create index relationships_to_business on relationships (workspace_id, to_business_id);
create index relationships_from_person on relationships (workspace_id, from_person_id);

create table addresses (
  workspace_id uuid not null,
  id uuid not null,
  customer_id uuid,
  business_id uuid,
  address_type text not null,
  is_active boolean not null default true,
  fields jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, customer_id) references persons (workspace_id, id),
  foreign key (workspace_id, business_id) references businesses (workspace_id, id),
  check (num_nonnulls(customer_id, business_id) = 1)
);
create index addresses_customer on addresses (workspace_id, customer_id);
create index addresses_business on addresses (workspace_id, business_id);

create table disclosures (
  workspace_id uuid not null,
  id uuid not null,
  person_id uuid,
  business_id uuid,
  acknowledging_person_id uuid,
  type text not null,
  version text not null,
  event_type text not null,
  disclosure_date timestamptz not null,
  metadata jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, person_id) references persons (workspace_id, id),
  foreign key (workspace_id, business_id) references businesses (workspace_id, id),
  foreign key (workspace_id, acknowledging_person_id) references persons (workspace_id, id),
  check (num_nonnulls(person_id, business_id) = 1)
);
create index disclosures_person on disclosures (workspace_id, person_id);
create index disclosures_business on disclosures (workspace_id, business_id);
