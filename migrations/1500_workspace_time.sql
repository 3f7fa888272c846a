-- The workspace clock for the sweeps of other domains, owned with workspace_clocks by the sandbox
-- domain (src/sandbox). The hold and card expiry workers, the webhook dispatcher and the ACH
-- scheduler each used to join workspace_clocks and add its offset themselves.

-- Each workspace's time at the real instant real_now: its clock's offset added, none for a workspace
-- whose clock never moved (every live workspace). A sweep joins it by workspace_id. A set-returning
-- SQL function of one SELECT, so PostgreSQL inlines it into the caller's query as a join: a scalar
-- function reading workspace_clocks could not be inlined and cost about 8 µs a row, called for every
-- row a sweep tests (every ACH row waiting, for one).
create function workspace_times(real_now timestamptz) returns table (workspace_id uuid, now timestamptz)
  language sql stable parallel safe
begin atomic
  select w.id, real_now + make_interval(secs => coalesce(c.offset_ms, 0) / 1000.0)
  from workspaces w left join workspace_clocks c on c.workspace_id = w.id;
end;

-- The latest time any workspace has at real_now (a clock only moves forward, so no workspace is
-- ahead of the furthest one). A sweep bounds its index range by it and tests each row against its
-- own workspace's time: it reads what may be due somewhere, not every row that will be due one day.
create function furthest_workspace_time(real_now timestamptz) returns timestamptz
  language sql stable parallel safe
begin atomic
  select real_now + make_interval(secs => coalesce((select max(c.offset_ms) from workspace_clocks c), 0) / 1000.0);
end;
