-- A ledger batch may decide on the state it read, and lock that state only with its writes: each
-- account and hold is then locked only if still as read. This function turns "fewer rows than
-- read are still as read" into an error with its own SQLSTATE, which fails the transaction before
-- anything of the batch commits; the batch is then decided again under locks.
create function ledger_expect_rows(matched bigint, expected bigint) returns bigint
language plpgsql as $$
begin
  if matched <> expected then
    raise exception using errcode = 'KL001', message = format('ledger state changed since it was read: %s of %s rows as read', matched, expected);
  end if;
  return matched;
end
$$;
