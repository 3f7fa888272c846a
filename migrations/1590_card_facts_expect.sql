-- The card rail's check of the facts it kept (src/card-authorization/facts-cache.ts): a new message
-- decided on a card's facts as this process last read them sends, with its batch's writes, one
-- statement that counts the cards whose rows have changed since (src/card-authorization/store.ts,
-- expectFactsUnchanged) and hands the count to this function, which fails the transaction with
-- SQLSTATE `code` (KF001 there) unless it is zero. The batch then runs again, reading, and each
-- message on a changed card is decided afresh. Written for any such check: the count and what it
-- counts are the caller's.
create function expect_none(counted bigint, code text, what text) returns bigint
language plpgsql as $$
begin
  if counted > 0 then
    raise exception using errcode = code, message = format('%s %s', counted, what);
  end if;
  return counted;
end
$$;
