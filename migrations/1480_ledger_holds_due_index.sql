-- Every ledger batch reads the PENDING holds past their expiry on the accounts it changes
-- (dueHoldsOn): it settles them before it decides. The account's index held its PENDING holds
-- without their expiry, so the read visited every one of them to find none due: in bench:card-auth,
-- where each approval leaves a hold for seven days, it became the batch's slowest statement
-- (1.8 ms a call, pg_stat_statements) and grew with every approval. With the expiry in the index
-- the read visits only the due holds; every other reader of an account's PENDING holds still finds
-- them by its first two columns.
create index ledger_holds_account_expiry on ledger_holds (workspace_id, account_id, expires_at) where status = 'PENDING';
drop index ledger_holds_account;
