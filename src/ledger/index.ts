// The ledger's only door. Commands in (post N legs, hold, capture in part or in full, adjust, void,
// expire; in groups that apply all or nothing), closed result codes out. It knows nothing of HTTP,
// rendering, Idempotency-Key or events: a rail maps each result code once to its own error, and
// writes its own rows in the same transaction through a Participant. docs/ledger.md tells the model.

export { applyInTransaction, lockAccountsForChange, batchesInFlightMaxDefault, batchSizeMaxDefault, batchWaitMsDefault, committingCompanyMinDefault, LedgerBatcher } from './batcher.js'
export type { BatcherOptions, Job, JobOutcome, Participant } from './batcher.js'
export { holderRefusal, ledgerKind } from './plan.js'
export { endPromises, promiseCredit } from './promises.js'
export type { CreditPromise } from './promises.js'
export type { Expired, LedgerCommand, LedgerRequest, LedgerResult, TransferMeta } from './plan.js'
export { amountMax, closedStatus, floorOf, frozenAccessStatus, ledgerKindsCounted, limitBreach, remainingOf, resultCodes, transactableStatus } from './rules.js'
export type { Command, CommandKind, HoldStatus, Leg, Payment, ResultCode } from './rules.js'
export type { EntryRow, HoldRow, LockedAccount, TransferRow } from './store.js'
export { seqBlockSize, transferSeqPosition } from './store.js'
export { amountFromJson, amountToJson } from './money.js'
export { keysKept } from './keys.js'
export { eventViews, expiryEvents, internalTransferKind, pendingCreatedEvents, postedEvents, settledHoldEvents } from './events.js'
export { expireDueHolds, expiredStatements, holdExpiryBatchMax, nextHoldExpiry } from './expiry.js'
export { accountNumberTaken, insertLedgerAccount, insertLedgerAccountIfAbsent, ledgerAccountAt, ledgerAccountByNumber, ledgerAccountsAt, ledgerAccountsByNumbers, postedBalanceAsOf, updateLedgerAccountTerms } from './accounts/store.js'
export type { LedgerAccountRow, NewLedgerAccount } from './accounts/store.js'
export { auditLedger } from './audit/store.js'
export type { AuditReport } from './audit/store.js'
export { entriesOf, getHold, getPostedTransfer, getTransfer, holdsByIds, listHolds, listPostedTransfers, periodActivity, periodTransfers, recordsOfPending, transfersByIds } from './history/store.js'
export type { Activity, EntryWithNumber, HoldWithNumbers, PendingFilter, PostedFilter } from './history/store.js'
