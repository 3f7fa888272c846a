-- The holds without row-by-row foreign key checks, as the records and entries have been since
-- migration 0201.
--
-- Each new hold ran two checks (its record, its account), each a trigger and a query: under the
-- card authorization bench they were about 7% of PostgreSQL's time per authorization. Holds
-- are written by src/ledger/store.ts alone, in the transaction that has locked the accounts they name
-- and inserted the record each belongs to. `keel ledger check` reports a hold whose record or
-- accounts are missing.
alter table ledger_holds drop constraint ledger_holds_workspace_id_id_fkey;
alter table ledger_holds drop constraint ledger_holds_workspace_id_account_id_fkey;
