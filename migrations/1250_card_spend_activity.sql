-- The spend controls' rolling windows and the cards' velocity, decided exactly under concurrency.
-- A ledger batch deciding card messages calls card_spend_activity once, in its first round trip:
-- it takes each named account's spend lock (a transaction-scoped advisory lock, in one order, so two
-- batches never wait on each other in a cycle), then reads what each message's windows have spent
-- and how many approvals its card had. A volatile PL/pgSQL function runs each statement with a fresh
-- snapshot (READ COMMITTED), so the read sees every approval committed by a batch that held one of
-- the locks before: one statement, where a lock and a read in one plain query would read with the
-- snapshot taken before the lock was granted.
--
-- queries: [{"i": message, "w": workspace, "a": account, "c": card, "since": velocity window start,
--            "windows": [start of control k's window, ...]}]
-- Returns a row per (message, window) with what approved messages on the account spent since its
-- start, by direction, and a row per message with k = -1 and the card's approvals since `since`.

create function card_spend_activity(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(keys.h)
    from (select distinct hashtextextended('card-spend/' || (q->>'w') || '/' || (q->>'a'), 0) as h
          from jsonb_array_elements(queries) as q order by h) as keys;
  return query
    select (q->>'i')::int, (w.k - 1)::int,
      coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0)::int8,
      coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0)::int8
    from jsonb_array_elements(queries) as q
    cross join lateral jsonb_array_elements_text(q->'windows') with ordinality as w(start, k)
    left join card_authorizations m on m.workspace_id = (q->>'w')::uuid and m.account_id = (q->>'a')::uuid
      and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= w.start::timestamptz
    group by 1, 2
    union all
    select (q->>'i')::int, -1,
      (select count(*) from card_authorizations m where m.workspace_id = (q->>'w')::uuid and m.card_id = (q->>'c')::uuid
        and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= (q->>'since')::timestamptz)::int8,
      0::int8
    from jsonb_array_elements(queries) as q;
end
$$;
