-- The expiry worker's round found the PENDING holds past their expiry through an index of every
-- PENDING hold by expiry alone, its range ended at the furthest workspace clock, joined to each
-- workspace's own time. The planner was free to start from the workspaces instead and read each one's
-- holds through ledger_holds_account_expiry, whose second column is the account: a skip scan over every
-- account of the workspace. Under bench:card-auth it took that plan, and a round that found nothing
-- due took 2 to 28 ms (mean 11.7, pg_stat_statements), once a second, growing with the accounts.
--
-- Each workspace's PENDING holds by expiry instead: a round reads, for each workspace, the range up
-- to that workspace's own time (dueHolds in src/ledger/store.ts), and a sandbox's clock advance reads
-- its one workspace's range (dueHolds with the workspace, nextHoldExpiry), where the old index
-- visited the due holds of every workspace to find one workspace's.
create index ledger_holds_workspace_expiry on ledger_holds (workspace_id, expires_at) where status = 'PENDING';
drop index ledger_holds_pending_expiry;

-- Every PENDING record of a transfer (an authorization's, a hold's) was written into an index by
-- expiry that nothing has read since holds became rows of their own (0600): their expiry is the
-- hold's. One index entry less for each.
drop index ledger_transfers_pending_expiry;
