-- The posting path's inserts without row-by-row foreign key checks.
--
-- A foreign key is checked by a trigger per inserted row: a group-committed batch of 256 transfers
-- ran about 1,500 of them (two per transfer, two per entry), close to half the batch's time on this
-- hardware. Every row these constraints guarded is written by src/ledger/store.ts alone, in the
-- transaction that has just locked the accounts it names (FOR UPDATE, so they cannot vanish) and
-- inserted the transfers its entries belong to. `keel ledger check` reports any entry or transfer
-- that names a missing account or transfer. The debit/credit indexes served nothing the API queries
-- (account filters go through ledger_entries and ledger_holds) and cost two index inserts per transfer.
alter table ledger_entries drop constraint ledger_entries_workspace_id_transfer_id_fkey;
alter table ledger_entries drop constraint ledger_entries_workspace_id_account_id_fkey;
alter table ledger_transfers drop constraint ledger_transfers_workspace_id_fkey;
alter table ledger_transfers drop constraint ledger_transfers_workspace_id_debit_account_id_fkey;
alter table ledger_transfers drop constraint ledger_transfers_workspace_id_credit_account_id_fkey;
drop index ledger_transfers_debit;
drop index ledger_transfers_credit;
