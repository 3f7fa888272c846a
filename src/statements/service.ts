// A statement: one account, one cycle (a calendar month in US Eastern time; the first starts when
// the account opened). Opening and closing balances are read as of the cycle's instants, the totals
// from the entries between them, so opening + credits − debits = closing holds by construction and
// is asserted here and by a CHECK on the row.

import type { AccountRow, ProductRow } from '../accounts/index.js'
import { interestKind, apyBps } from '../interest/index.js'
import { feeKind, owedTotal } from '../fees/index.js'
import { amountToJson, entriesOf, ledgerAccountAt, periodActivity, postedBalanceAsOf, type TransferRow } from '../ledger/index.js'
import { assert } from '../platform/assert.js'
import { isoString } from '../platform/clock.js'
import type { Queryable } from '../platform/db.js'
import { recordEvent } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import { rateOn, type CalculationMethod, type Rate } from '../interest/arithmetic.js'
import { lineUuid } from '../transfers/views.js'
import { easternDayOf, nextDay } from './calendar.js'
import { accruedBetween, insertStatement, previousStatement, type StatementRow } from './store.js'

type Json = Record<string, unknown>
export const statementKinds = { interest: interestKind, fee: feeKind }

/** Writes the statement of a cycle that ended at `end` (the close of `lastDay`), with its STATEMENT.CREATED event. */
export async function issueStatement(tx: Queryable, a: { account: AccountRow; start: Date; end: Date; lastDay: string; interest?: ProductRow }): Promise<StatementRow> {
  const { account } = a
  const ws = account.workspace_id
  const ledger = await ledgerAccountAt(tx, ws, account.id, a.end)
  assert(ledger, 'a customer account has its ledger row')
  const [opening, closing, activity] = await Promise.all([
    postedBalanceAsOf(tx, ws, account.id, a.start), postedBalanceAsOf(tx, ws, account.id, a.end), periodActivity(tx, ws, account.id, a.start, a.end, statementKinds),
  ])
  assert(opening + activity.credits - activity.debits === closing, 'a statement reconciles')
  const startDay = easternDayOf(a.start)
  const rates = a.interest?.fields.rates as Rate[] | undefined
  const row: StatementRow = {
    workspace_id: ws, id: uuidv7(), account_id: account.id, start_date: startDay, end_date: a.lastDay, issue_date: nextDay(a.lastDay),
    period_start: a.start, period_end: a.end, opening_balance: opening, closing_balance: closing, total_credits: activity.credits, total_debits: activity.debits,
    interest_paid: activity.interest, fees_charged: activity.fees, fees_owed: await owedTotal(tx, ws, account.id),
    interest_accrued_micro: await accruedBetween(tx, ws, account.id, startDay, a.lastDay),
    apy_bps: a.interest && rates ? apyBps(rateOn(rates, a.lastDay), a.interest.fields.calculation_method as CalculationMethod) : null,
    currency: ledger.currency, created_at: a.end,
  }
  await insertStatement(tx, row)
  await recordEvent(tx, { at: row.created_at, workspaceId: ws, type: 'STATEMENT.CREATED', resourceId: row.id, resource: await toStatement(tx, row, account) })
  return row
}

export const toStatementSummary = (s: StatementRow): Json => ({ id: s.id, account_id: s.account_id, start_date: s.start_date, end_date: s.end_date, issue_date: s.issue_date })

/** The `statement` resource: the summary, balances, the account, and for an interest-bearing account its savings summary. */
export async function toStatement(db: Queryable, s: StatementRow, account: AccountRow): Promise<Json> {
  const ledger = await ledgerAccountAt(db, s.workspace_id, s.account_id, s.period_end)
  assert(ledger, 'a statement\'s account has its ledger row')
  const summary: Json = {
    id: account.id, account_number: ledger.account_number, account_status: account.status, account_type: account.account_type,
    currency: s.currency, creation_time: isoString(account.created_at), last_updated_time: isoString(account.updated_at),
  }
  if (account.nickname !== null) summary.nickname = account.nickname
  if (account.customer_type !== null) summary.customer_type = account.customer_type
  const body: Json = { ...toStatementSummary(s), opening_balance: amountToJson(s.opening_balance), closing_balance: amountToJson(s.closing_balance), account_summary: summary }
  if (s.apy_bps !== null) {
    const previous = await previousStatement(db, s.workspace_id, s.account_id, s.start_date)
    body.savings_summary = {
      apy: s.apy_bps / 100,
      interest_earned: amountToJson(s.interest_paid),
      interest_earned_previous_month: amountToJson(previous?.interest_paid ?? 0n),
    }
  }
  return body
}

/** A posted record as the spec's `transaction` (a statement's transactions): every line of it. */
export async function toStatementTransactions(db: Queryable, workspaceId: string, transfers: TransferRow[]): Promise<Json[]> {
  const entries = await entriesOf(db, workspaceId, transfers.map((t) => t.id))
  return transfers.map((t) => {
    const posted = isoString(t.posted_at ?? t.created_at)
    return {
      id: amountToJson(t.seq), uuid: t.id, type: t.type, subtype: t.kind, status: 'POSTED', effective_date: posted, posted_date: posted,
      data: {
        memo: t.memo ?? '',
        metadata: (t.details.metadata as Json | undefined) ?? null,
        lines: entries.filter((e) => e.transfer_id === t.id).map((e) => ({
          uuid: lineUuid(t.id, e.line), account_id: e.account_id, account_no: e.account_number,
          amount: amountToJson(e.amount < 0n ? -e.amount : e.amount), currency: e.currency, dc_sign: e.amount < 0n ? 'debit' : 'credit',
        })),
      },
    }
  })
}
