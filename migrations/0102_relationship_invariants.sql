-- Invariants of relationships the API already keeps, asserted again by the database:
-- every relationship has exactly one party at each end; the owner types, and only they, carry an
-- ownership share; and one relationship of a type links the same two parties at most once (the
-- API answers 409 DUPLICATE_RESOURCE first, under a lock on the target party, so this index only
-- catches a bug, never a client).
alter table relationships
  add constraint relationships_one_target check (num_nonnulls(to_business_id, to_person_id) = 1),
  add constraint relationships_owner_share check (
    (relationship_type in ('BENEFICIAL_OWNER_OF', 'OWNER_OF')) = (ownership_percentage is not null));

create unique index relationships_unique_parties on relationships
  (workspace_id, relationship_type, from_person_id, from_business_id, to_business_id, to_person_id) nulls not distinct;
