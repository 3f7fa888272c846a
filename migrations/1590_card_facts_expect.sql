-- The card rail's check of the facts it kept (src/card-authorization/facts-cache.ts): a new message
-- decided on a card's facts as this process last read them sends, with its batch's writes, one
-- statement that counts the cards whose rows have changed since (src/card-authorization/store.ts,
-- expectFactsUnchanged), and this function fails the transaction (SQLSTATE KF001) unless none has.
-- The batch then runs again, reading, and each message on a changed card is decided afresh.
create function card_facts_expect_unchanged(changed bigint) returns bigint
language plpgsql as $$
begin
  if changed > 0 then
    raise exception using errcode = 'KF001', message = format('%s cards have changed since their facts were read', changed);
  end if;
  return changed;
end
$$;
