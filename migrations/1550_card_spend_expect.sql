-- The card rail's check for a ledger batch decided from memory (src/ledger/batcher.ts, "Batches
-- decided from memory"): such a batch has no first round trip in which to read its messages' spend
-- windows and velocity under the spend locks and decide them again (lockedActivity, spendDecisions).
-- It sends instead, with its writes, the locks and one statement that counts the messages whose
-- windows or velocity hold more than their approval allows (src/card-authorization/store.ts,
-- expectSpendWithin): the bounds are worked out by the engine (approvalBounds in decide.ts), and
-- this function fails the transaction (SQLSTATE KS001) unless none is over. The batch then runs again,
-- reading, and decides each message on what the windows hold.
create function card_spend_expect_within(over bigint) returns bigint
language plpgsql as $$
begin
  if over > 0 then
    raise exception using errcode = 'KS001', message = format('%s card spend windows hold more than the batch allowed for', over);
  end if;
  return over;
end
$$;
