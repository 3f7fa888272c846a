-- The workspace clock for the sweeps of other domains, owned with workspace_clocks by the sandbox
-- domain (src/sandbox). The hold and card expiry workers, the webhook dispatcher and the ACH
-- scheduler each used to join workspace_clocks and add its offset themselves.

-- A workspace's time at the real instant real_now: its clock's offset added, none for a workspace
-- whose clock never moved (every live workspace).
create function workspace_time(ws uuid, real_now timestamptz) returns timestamptz
  language sql stable parallel safe
begin atomic
  select real_now + make_interval(secs => coalesce((select c.offset_ms from workspace_clocks c where c.workspace_id = ws), 0) / 1000.0);
end;

-- The latest time any workspace has at real_now (a clock only moves forward, so no workspace is
-- ahead of the furthest one). A sweep bounds its index range by it and tests each row against its
-- own workspace's time: it reads what may be due somewhere, not every row that will be due one day.
create function furthest_workspace_time(real_now timestamptz) returns timestamptz
  language sql stable parallel safe
begin atomic
  select real_now + make_interval(secs => coalesce((select max(c.offset_ms) from workspace_clocks c), 0) / 1000.0);
end;
