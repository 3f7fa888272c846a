-- idempotency_keys_expect_free (1540) with the keys taken from unnest in a subquery's select list,
-- as the ledger's batch statements take their rows (src/platform/db.ts): unnest of two arrays in
-- FROM is a function scan that copies each array into a tuplestore of its own, on every batch
-- decided from memory. Same keys, same locks in the same order, same check.
create or replace function idempotency_keys_expect_free(workspace_ids uuid[], keys text[]) returns integer
language plpgsql as $$
declare
  taken integer;
begin
  -- Each key's outcome looked up by its primary key (a lateral join): written as "or exists (…)",
  -- PostgreSQL made it a hashed subplan that read every stored outcome on every call.
  select count(*) into taken
  from (select unnest(workspace_ids) as w, unnest(keys) as k) as x
  left join lateral (select true as found from idempotency_keys i where i.workspace_id = x.w and i.key = x.k) as s on true
  where not pg_try_advisory_xact_lock(hashtextextended(x.w::text || '/' || x.k, 0)) or s.found;
  if taken > 0 then
    raise exception using errcode = 'KI001', message = format('%s of %s Idempotency-Keys are not free', taken, cardinality(keys));
  end if;
  return cardinality(keys);
end
$$;
