-- A keyed session's plans made again ahead of its next batch (src/ledger/store.ts, renewPlans).
--
-- A session's plans are dropped once its tables have outgrown them (`discard plans`), and each
-- statement was then planned again the next time a batch ran it: that batch, all its statements
-- planned in turn, took 7.8 ms against 3.3 for the others at 1,000 card authorizations/s. Planning
-- them all right after the drop, outside any batch, leaves the next batch nothing to plan.
--
-- EXPLAIN EXECUTE plans a prepared statement as running it would, keeping the plan (on a keyed
-- session, its generic plan, made for any values: the nulls given stand for none) without running
-- it. A statement that cannot be planned (one whose table is gone) is left to fail when it is run,
-- as it would have.
create function keyed_plans_make() returns int
language plpgsql as $$
declare
  s record;
  made int := 0;
begin
  for s in select name, cardinality(parameter_types) as n from pg_prepared_statements loop
    begin
      execute format('explain execute %I%s', s.name,
        case when s.n > 0 then '(' || array_to_string(array_fill('null'::text, array[s.n]), ',') || ')' else '' end);
      made := made + 1;
    exception when others then
      null;
    end;
  end loop;
  return made;
end
$$;
