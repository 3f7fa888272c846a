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
  -- The messages as typed rows first: a filter that reads a jsonb field for every row it meets
  -- costs microseconds a row, and the planner, which thinks a new table small, would rather filter
  -- the workspace's rows than range-scan the index on (workspace, card, time).
  return query
    with q as materialized (
      select x.i, x.w, x.a, x.c, x.since, x.windows
      from jsonb_to_recordset(queries) as x(i int, w uuid, a uuid, c uuid, since timestamptz, windows jsonb)
    )
    select q.i, (w.k - 1)::int, s.debits, s.credits
    from q
    cross join lateral jsonb_array_elements_text(q.windows) with ordinality as w(start, k)
    cross join lateral (
      select coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0)::int8 as debits,
        coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0)::int8 as credits
      from card_authorizations m
      where m.workspace_id = q.w and m.account_id = q.a
        and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= w.start::timestamptz) as s
    union all
    select q.i, -1,
      (select count(*) from card_authorizations m where m.workspace_id = q.w and m.card_id = q.c
        and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= q.since)::int8,
      0::int8
    from q;
end
$$;
