-- card_spend_sums reads card_authorizations, which grows with every authorization. Its plan was
-- cached on the connection while the table was small and kept scanning it whole as it grew: in
-- bench:card-auth the function took about 60 ms a call by the end (pg_stat_statements). Plan it
-- for the table as it is on every call (a function with its own setting is also never inlined).
alter function card_spend_sums(jsonb) set plan_cache_mode = force_custom_plan;
alter function card_spend_activity(jsonb) set plan_cache_mode = force_custom_plan;
