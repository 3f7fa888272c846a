-- Idempotency-Key claims sent with a transaction's writes, for the ledger's batches decided from
-- what their process knows (src/ledger/batcher.ts, "Batches decided from memory"): such a batch
-- has no first round trip in which to read its keys' stored outcomes, so it claims them with its
-- writes, and this function fails the transaction (SQLSTATE KI001) unless every key is free: its
-- advisory lock taken here (the one claimKeys takes), and no outcome stored under it, not even one
-- past the retention window (claimKeys deletes those). The batch then runs again, reading first.
create function idempotency_keys_expect_free(workspace_ids uuid[], keys text[]) returns integer
language plpgsql as $$
declare
  taken integer;
begin
  -- Each key's outcome looked up by its primary key (a lateral join): written as "or exists (…)",
  -- PostgreSQL made it a hashed subplan that read every stored outcome on every call.
  select count(*) into taken
  from unnest(workspace_ids, keys) as x(w, k)
  left join lateral (select true as found from idempotency_keys i where i.workspace_id = x.w and i.key = x.k) as s on true
  where not pg_try_advisory_xact_lock(hashtextextended(x.w::text || '/' || x.k, 0)) or s.found;
  if taken > 0 then
    raise exception using errcode = 'KI001', message = format('%s of %s Idempotency-Keys are not free', taken, cardinality(keys));
  end if;
  return cardinality(keys);
end
$$;
