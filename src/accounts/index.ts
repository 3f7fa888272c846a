import type { Domain } from '../platform/wipe.js'
import type { Api } from '../platform/http.js'
import { registerAccountRoutes } from './customer-accounts/routes.js'
import { registerInternalAccountRoutes } from './internal-accounts/routes.js'
import { registerProductRoutes } from './products/routes.js'
import { registerAccountRelationshipRoutes } from './relationships/routes.js'
import { registerTemplateRoutes } from './templates/routes.js'
import type { Queryable } from '../platform/db.js'
import { recordEvent } from '../platform/events.js'
import { nameBasedId } from '../platform/ids.js'
import { getAccount as getAccountRow, listAccounts, type AccountRow } from './customer-accounts/store.js'
import { newAccountNumber } from './customer-accounts/service.js'
import { toInternalAccount } from './internal-accounts/service.js'
import { insertInternalAccount, type InternalAccountRow } from './internal-accounts/store.js'
import { insertLedgerAccountIfAbsent, ledgerAccountAt, transactableStatus } from './ledger-port.js'
import { getProduct, type ProductRow } from './products/store.js'

// What other domains may use of accounts.
export { accountsPerSpendControl, getAccount, partiesWithAccounts, transferAccountCandidates, type TransferAccountCandidate } from './customer-accounts/store.js'
export { relationshipsOf } from './relationships/store.js'
export { provideAccruedInterest, type AccruedInterestReader } from './accrued-interest-port.js'
export { bankRouting, holderTypes } from './customer-accounts/service.js'
export { ensureSandboxFunding, sandboxFundingAccountId, sandboxFundingCurrency } from './internal-accounts/service.js'
export type { AccountRow, ProductRow }

/** For interest, fees and statements: a page of a workspace's ACTIVE_OR_DISBURSED accounts, in id order, after `afterId`. */
export async function activeAccountsPage(db: Queryable, workspaceId: string, afterId: string | undefined, limit: number): Promise<AccountRow[]> {
  const rows = await listAccounts(db, workspaceId, { status: [transactableStatus] }, { limit, afterId: undefined }, [], afterId ? { id: afterId, values: [] } : undefined)
  return rows.slice(0, limit)
}

/** An account's INTEREST product and FEE products (those that still exist). */
export async function productsOfAccount(db: Queryable, account: AccountRow): Promise<{ interest?: ProductRow; fees: ProductRow[] }> {
  const feeIds = Array.isArray(account.fields.fee_product_ids) ? (account.fields.fee_product_ids as string[]) : []
  const [interest, ...fees] = await Promise.all([
    account.interest_product_id ? getProduct(db, account.workspace_id, account.interest_product_id) : Promise.resolve(undefined),
    ...feeIds.map((id) => getProduct(db, account.workspace_id, id)),
  ])
  return { interest: interest?.product_type === 'INTEREST' ? interest : undefined, fees: fees.filter((f): f is ProductRow => f?.product_type === 'FEE') }
}

/** The bank's internal accounts interest and fees post through: INTEREST_PAYOUT (an expense, no floor) and FEES (revenue). */
export type BankAccountType = 'INTEREST_PAYOUT' | 'FEES'

/**
 * The workspace's internal account of this type and currency, created in the caller's transaction
 * on first use (its id is derived, so every process finds the same one). Its INTERNAL_ACCOUNT.CREATED
 * event is written with it.
 */
export async function ensureBankAccount(tx: Queryable, workspaceId: string, type: BankAccountType, currency: string, now: Date): Promise<string> {
  const id = nameBasedId(workspaceId, `bank-account/${type}/${currency}`)
  if (await ledgerAccountAt(tx, workspaceId, id, now)) return id
  const created = await insertLedgerAccountIfAbsent(tx, {
    workspace_id: workspaceId, id, kind: 'INTERNAL', account_number: await newAccountNumber(tx, workspaceId), currency,
    status: transactableStatus, access_status: 'ACTIVE', floor: type === 'INTEREST_PAYOUT' ? null : 0n, ceiling: null, created_at: now,
  })
  if (!created) return id
  const row: InternalAccountRow = {
    workspace_id: workspaceId, id, is_sandbox_funding: false,
    fields: type === 'INTEREST_PAYOUT'
      ? { account_type: 'INTEREST_PAYOUT', description: 'Interest expense', purpose: 'PROFIT_AND_LOSS', gl_type: 'EXPENSE', is_system_acc: true }
      : { account_type: 'FEES', description: 'Fee revenue', purpose: 'PROFIT_AND_LOSS', gl_type: 'REVENUE', is_system_acc: true },
    created_at: now, updated_at: now,
  }
  await insertInternalAccount(tx, row)
  await recordEvent(tx, { at: now, workspaceId, type: 'INTERNAL_ACCOUNT.CREATED', resourceId: id, resource: toInternalAccount(row, (await ledgerAccountAt(tx, workspaceId, id, now))!) })
  return id
}

/**
 * Templates, products, accounts, account relationships and internal accounts. Wipe deletes the
 * accounts and keeps templates and products (configuration). The ledger rows of the accounts are
 * the transfers domain's to wipe, after the transfers that reference them.
 */
export const accounts: Domain = {
  name: 'accounts',
  register(api: Api) {
    registerProductRoutes(api)
    registerTemplateRoutes(api)
    registerAccountRoutes(api)
    registerAccountRelationshipRoutes(api)
    registerInternalAccountRoutes(api)
  },
  wipeTables: ['ledger_accounts', 'ledger_account_holders', 'accounts', 'account_relationships', 'internal_accounts'],
}
