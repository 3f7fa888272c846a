-- Declined holds (src/ledger/rules.ts, the `decline` command): a card authorization Keel declines
-- is recorded as a ledger record (action 'decline', status DECLINED) and a hold in status DECLINED
-- that reserves nothing (amount 0), so the pending transactions list it with the spec's DECLINED
-- status and `hold_decline` operation. The record's amount is what was asked, which may be 0 (a
-- zero-amount authorization). Balances, expiry and the audit count PENDING holds only, so a
-- declined one is never held, expired or captured.

alter table ledger_transfers drop constraint ledger_transfers_status_check;
alter table ledger_transfers add constraint ledger_transfers_status_check
  check (status in ('POSTED', 'PENDING', 'CANCELED', 'EXPIRED', 'DECLINED'));
alter table ledger_transfers drop constraint ledger_transfers_action_check;
alter table ledger_transfers add constraint ledger_transfers_action_check
  check (action in ('post', 'pending', 'post_pending', 'adjust_pending', 'void_pending', 'expire_pending', 'decline'));
alter table ledger_transfers drop constraint ledger_transfers_amount_check;
alter table ledger_transfers add constraint ledger_transfers_amount_check
  check (amount > 0 or (action = 'adjust_pending' and amount <> 0) or (action = 'decline' and amount = 0));
alter table ledger_transfers drop constraint ledger_transfers_pending_id;
alter table ledger_transfers add constraint ledger_transfers_pending_id
  check ((pending_id is null) = (action in ('post', 'pending', 'decline')));
-- A declined record is DECLINED and nothing else is.
alter table ledger_transfers add constraint ledger_transfers_declined
  check ((action = 'decline') = (status = 'DECLINED'));

alter table ledger_holds drop constraint ledger_holds_status_check;
alter table ledger_holds add constraint ledger_holds_status_check
  check (status in ('PENDING', 'CLEARED', 'RELEASED', 'EXPIRED', 'DECLINED'));
-- A declined hold reserves nothing and never did; every other hold authorizes something.
alter table ledger_holds drop constraint ledger_holds_amount_check;
alter table ledger_holds add constraint ledger_holds_amount_check
  check (case when status = 'DECLINED' then amount = 0 and captured = 0 else amount > 0 end);
