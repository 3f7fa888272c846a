-- One definition of what a card's spend windows and velocity hold. card_spend_sums reads them
-- without locks: a decision before the batch (the room a partial approval may take, or the checks
-- before asking a gateway) calls it, and card_spend_activity (migration 1250) calls it once the
-- batch's spend locks are held, where the decision is taken again. Its body is 1250's query
-- unchanged; the plpgsql caller still runs it with a snapshot taken after the locks.

create function card_spend_sums(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language sql stable as $$
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
  from q
$$;

create or replace function card_spend_activity(queries jsonb) returns table (i int, k int, debits int8, credits int8)
language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(keys.h)
    from (select distinct hashtextextended('card-spend/' || (q->>'w') || '/' || (q->>'a'), 0) as h
          from jsonb_array_elements(queries) as q order by h) as keys;
  return query select s.i, s.k, s.debits, s.credits from card_spend_sums(queries) as s;
end
$$;
