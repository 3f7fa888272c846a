-- Two costs of every batch of transfers, measured with pg_stat_statements under the bench.
--
-- Balance updates: a row updated in place on its page (a HOT update) needs no new index entries;
-- one that must move to another page gets two (the primary key and the account number). Pages
-- kept 30% free leave room for the new versions of the accounts a batch updates.
alter table ledger_accounts set (fillfactor = 70);

-- Sequence numbers (the int64 ids of the transaction views): nextval once per transfer cost about
-- 4 µs each. The sequence now advances in blocks of 256 (the largest batch): a batch takes one
-- value per block it needs and numbers its transfers from it, so ids stay unique across processes
-- and increasing in time, with gaps. src/ledger/store.ts reserveSeqs reads the block size from
-- here (seqBlockSize); keep the two equal.
alter table ledger_transfers alter column seq set increment by 256;
