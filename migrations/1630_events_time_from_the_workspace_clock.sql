-- An event's time is its change's time on its workspace's clock (src/platform/events.ts writes it):
-- a sandbox's clock may be ahead of the database's. No default, so an insert that forgets it fails
-- instead of stamping the event with real time.
alter table events alter column event_time drop default;
