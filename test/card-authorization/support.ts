// A funded card, set up through the API the way an integrator would.
import assert from 'node:assert/strict'
import type { Harness } from '../support/harness.js'
import { fundingAccount, transfer } from '../support/accounts.js'
import { holder, issue, products } from '../cards/support.js'
import { currentBatcher } from '../../src/transfers/index.js'
import { auditBooks } from '../../src/cli/ledger.js'

export interface FundedCard { card: any; account: any; person: any }

/** A verified holder's account funded with `funds` cents and an ACTIVE virtual debit card on it; spend controls attached when named. */
export async function fundedCard(h: Harness, funds: number, options: { spendControlIds?: string[]; key?: string } = {}): Promise<FundedCard> {
  const who = await holder(h, options.key)
  if (funds > 0) {
    const funding = await fundingAccount(h, options.key)
    const res = await transfer(h, { amount: funds, originating_account_id: funding.id, receiving_account_id: who.account.id }, { key: options.key })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }
  if (options.spendControlIds) {
    const res = await h.request('PATCH', `/v0/accounts/${who.account.id}`, { key: options.key, body: { account_type: who.account.account_type, spend_control_ids: options.spendControlIds } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }
  const card = await issue(h, who, (await products(h, options.key)).virtual, {}, options.key)
  assert.equal(card.card_status, 'ACTIVE')
  return { card, account: who.account, person: who.person }
}

/** What `keel ledger check` finds wrong in every workspace: the ledger's invariants and the card spend kept beside them. */
export async function booksDiscrepancies(h: Harness): Promise<string[]> {
  return (await auditBooks(h.sql)).discrepancies
}

export const merchant = { mcc: '5411', name: 'Corner Grocer', city: 'Oakland', state: 'CA', zip: '94607', country: 'USA' }

export async function authorize(h: Harness, cardId: string, amount: number, extra: Record<string, unknown> = {}, key?: string) {
  return h.request('POST', '/v0/cards/transaction_simulations/authorization', { key, body: { card_id: cardId, amount, mid: 'MID-1', card_acceptor: merchant, ...extra } })
}

export async function simulate(h: Harness, path: string, body: Record<string, unknown>, key?: string) {
  return h.request('POST', `/v0/cards/transaction_simulations/${path}`, { key, body })
}

export async function available(h: Harness, accountId: string, key?: string): Promise<{ posted: number; available: number }> {
  const res = await h.request('GET', `/v0/accounts/${accountId}`, { key })
  assert.equal(res.status, 200)
  const of = (t: string) => res.body.balances.find((b: any) => b.type === t).balance
  return { posted: of('ACCOUNT_BALANCE'), available: of('AVAILABLE_BALANCE') }
}

export async function spendControl(h: Harness, body: Record<string, unknown>, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/spend_controls', { key, body: { name: 'limit', is_active: true, action_case: false, action_decline: true, time_range: { time_range_type: 'SINGLE_TRANSACTION' }, ...body } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

/** A node of EXPLAIN (ANALYZE, FORMAT JSON), as far as its row counts go. */
export interface PlanNode { 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number; 'Rows Removed by Filter'?: number; 'Rows Removed by Index Recheck'?: number; Plans?: PlanNode[] }

/** Rows each table's scans returned (kept) and threw away (removed), over all their loops. */
export function rowsScanned(node: PlanNode, out: Record<string, { kept: number; removed: number }> = {}): Record<string, { kept: number; removed: number }> {
  const table = node['Relation Name']
  if (table) {
    const t = out[table] ??= { kept: 0, removed: 0 }
    t.kept += node['Actual Rows'] * node['Actual Loops']
    t.removed += ((node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops']
  }
  for (const child of node.Plans ?? []) rowsScanned(child, out)
  return out
}

/**
 * card_spend_sums' own query (its text from pg_catalog) with `queries` as $1, a JSON text, and its
 * columns named as the function names them: to run under EXPLAIN ANALYZE.
 */
export async function spendSumsQuery(h: Harness): Promise<string> {
  const [{ prosrc }] = await h.sql<{ prosrc: string }[]>`select prosrc from pg_proc where proname = 'card_spend_sums'`
  return `select * from (${prosrc.replace(/\bqueries\b/g, '$1::text::jsonb')}) as s(i, k, debits, credits)`
}

/** How many batches went from memory, and how many of those ran again reading, while `run` ran. */
export async function batchesOf(run: () => Promise<unknown>): Promise<{ fromMemory: number; reread: number }> {
  const stats = currentBatcher!.stats
  const before = { fromMemory: stats.fromMemory, reread: stats.reread }
  await run()
  return { fromMemory: stats.fromMemory - before.fromMemory, reread: stats.reread - before.reread }
}

/** A message's answer as its state, with the reason when declined. */
export const stateOf = (res: { status: number; body: any }) => {
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.transaction.state === 'DECLINED' ? `DECLINED ${res.body.transaction.decline_reason}` : res.body.transaction.state
}
