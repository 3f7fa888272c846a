// Ledger accounts inserted straight into a test file's database, for tests of the ledger below the
// routes that open accounts.
import { insertLedgerAccount } from '../../src/ledger/index.js'
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
