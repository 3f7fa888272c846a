// Ledger accounts inserted straight into a test file's database, and transfers between them, for
// tests of the ledger below the routes that open accounts.
import { applyInTransaction, insertLedgerAccount, type LedgerRequest } from '../../src/ledger/index.js'
import type { Sql } from '../../src/platform/db.js'
import { uuidv7 } from '../../src/platform/ids.js'

/** Account numbers handed out in this process (one test file's database). */
let numbers = 0

/**
 * Opens an active USD account in `workspaceId` and answers its id; a `floor` of null (the default)
 * lets it go below zero, 0n does not.
 */
export async function openLedgerAccount(sql: Sql, workspaceId: string, floor: bigint | null = null): Promise<string> {
  const id = uuidv7()
  await insertLedgerAccount(sql, {
    workspace_id: workspaceId, id, kind: 'ACCOUNT', account_number: `7${String(++numbers).padStart(11, '0')}`,
    currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access_status: 'ACTIVE', floor, ceiling: null, created_at: new Date(),
  })
  return id
}

/** A request to move `amount` cents of USD from one account to another, decided when submitted. */
export function transferRequest(workspaceId: string, from: string, to: string, amount: bigint, details: Record<string, unknown> = {}): LedgerRequest {
  return {
    workspaceId, now: new Date(), partnerVerified: true,
    commands: [{ id: uuidv7(), kind: 'post', legs: [{ accountId: from, amount: -amount, currency: 'USD' }, { accountId: to, amount, currency: 'USD' }], meta: { kind: 'TEST', type: 'ACCOUNT_TO_ACCOUNT', details } }],
  }
}

/** Two accounts that may not go below zero, `a` holding 1,000 (paid in from a third) and `b` nothing. */
export async function openFundedPair(sql: Sql, workspaceId: string): Promise<{ a: string; b: string }> {
  const source = await openLedgerAccount(sql, workspaceId, null)
  const a = await openLedgerAccount(sql, workspaceId, 0n)
  const b = await openLedgerAccount(sql, workspaceId, 0n)
  await sql.begin((tx) => applyInTransaction(tx, [transferRequest(workspaceId, source, a, 1000n)], { nowOf: () => new Date() }))
  return { a, b }
}
