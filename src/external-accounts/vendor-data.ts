// Balances and transactions of a linked account, read from the vendor when asked (the spec: "always
// fetched synchronously; it is not cached").
import type { Static } from 'typebox'
import { assert } from '../platform/assert.js'
import { ApiError } from '../platform/errors.js'
import type { Services } from '../platform/http.js'
import type { Workspace } from '../platform/workspaces.js'
import type { external_account_balance, external_account_transaction } from '../spec/schemas.js'
import type { VendorLinks } from './linking.js'
import { vendorRefused } from './linking.js'
import { plaidFailureOf } from './plaid-client.js'
import { getAccount, getItem, type AccountRow, type ItemRow } from './store.js'
import { dayMs } from '../platform/clock.js'

/** The earliest instant a Date holds (ECMAScript's time range: 10^8 days before the epoch). */
const earliestDateMs = -8.64e15

type Balance = Static<typeof external_account_balance>
type Transaction = Static<typeof external_account_transaction>

/** The spec: "Maximum 500 transactions will be returned" (Plaid's largest page as well). */
export const transactionsListMax = 500
/** How far back POST …/refresh_transactions counts what it synced. */
export const transactionsSyncWindowDays = 90

/** Dollars (Plaid's decimals) to integer cents. */
export function toMinorUnits(amount: number): number {
  const cents = Math.round(amount * 100)
  assert(Number.isSafeInteger(cents), 'an amount in cents is a safe integer')
  return cents
}

const paymentChannels: Record<string, Transaction['payment_channel']> = { online: 'ONLINE', 'in store': 'IN_STORE', other: 'OTHER' }

export class VendorData {
  constructor(private readonly services: Services, private readonly links: VendorLinks) {}

  /** A linked, live account of this workspace and the item it came through. */
  private async linked(workspace: Workspace, id: string): Promise<{ account: AccountRow; item: ItemRow }> {
    const account = await getAccount(this.services.sql, workspace.id, id)
    if (!account) throw new ApiError('RESOURCE_NOT_FOUND', `external account ${id} not found`)
    if (account.vendor === 'MANUAL' || !account.item_id) throw new ApiError('FEATURE_NOT_AVAILABLE', `external account ${id} was added by hand: balances and transactions come from a vendor link`)
    if (account.status === 'DELETED') throw new ApiError('INVALID_STATUS', `external account ${id} is deleted`)
    this.links.requireVendor(workspace)
    const item = await getItem(this.services.sql, workspace.id, account.item_id)
    assert(item, 'a linked account has its item')
    return { account, item }
  }

  async balance(workspace: Workspace, id: string, maxAgeSeconds: number | undefined): Promise<Balance> {
    const { account, item } = await this.linked(workspace, id)
    const now = this.services.clock.now(workspace.id)
    // An age reaching back past the earliest instant a date can hold (the spec allows any int64) bounds nothing.
    const oldestMs = maxAgeSeconds === undefined ? undefined : now.getTime() - maxAgeSeconds * 1000
    const oldest = oldestMs === undefined || oldestMs < earliestDateMs ? undefined : new Date(oldestMs)
    let answer
    try {
      answer = (await this.links.vendorClient(workspace).accountsBalanceGet({
        access_token: this.links.accessTokenOf(item),
        options: { account_ids: [account.vendor_account_id!], ...(oldest ? { min_last_updated_datetime: oldest.toISOString() } : {}) },
      })).data
    } catch (err) {
      throw vendorRefused(plaidFailureOf(err), 'the balance')
    }
    const found = answer.accounts.find((a) => a.account_id === account.vendor_account_id)
    if (!found) throw new ApiError('INVALID_STATUS', `the vendor no longer reports external account ${id}; sync the customer's accounts`)
    const b = found.balances
    const vendorTime = b.last_updated_datetime ? new Date(b.last_updated_datetime) : undefined
    if (oldest && vendorTime && vendorTime < oldest) throw new ApiError('BAD_REQUEST', `the vendor's balance is from ${vendorTime.toISOString()}, older than max_age ${maxAgeSeconds} s`)
    return {
      available: b.available === null || b.available === undefined ? null : toMinorUnits(b.available),
      current: b.current === null || b.current === undefined ? null : toMinorUnits(b.current),
      limit: b.limit === null || b.limit === undefined ? null : toMinorUnits(b.limit),
      currency: b.iso_currency_code ?? account.currency,
      last_updated_time: now.toISOString(),
      ...(vendorTime ? { last_updated_time_vendor: vendorTime.toISOString() } : {}),
      ...(account.transactions_synced_at ? { transactions_last_updated_time: account.transactions_synced_at.toISOString() } : {}),
    }
  }

  /** Transactions on [start_date, end_date): the spec's end is exclusive, Plaid's inclusive. */
  async transactions(workspace: Workspace, id: string, startDate: string, endDate: string): Promise<{ transactions: Transaction[] }> {
    const start = Date.parse(`${startDate}T00:00:00Z`)
    const end = Date.parse(`${endDate}T00:00:00Z`)
    if (Number.isNaN(start) || Number.isNaN(end)) throw new ApiError('BAD_QUERY_PARAMETER', 'start_date and end_date are dates (YYYY-MM-DD)')
    if (end <= start) throw new ApiError('BAD_QUERY_PARAMETER', 'end_date (exclusive) must be after start_date')
    const { account, item } = await this.linked(workspace, id)
    let answer
    try {
      answer = (await this.links.vendorClient(workspace).transactionsGet({
        access_token: this.links.accessTokenOf(item),
        start_date: startDate, end_date: new Date(end - dayMs).toISOString().slice(0, 10),
        options: { account_ids: [account.vendor_account_id!], count: transactionsListMax },
      })).data
    } catch (err) {
      throw vendorRefused(plaidFailureOf(err), 'the transactions')
    }
    return {
      transactions: answer.transactions.map((t) => ({
        transaction_id: t.transaction_id,
        amount: toMinorUnits(t.amount),
        currency: t.iso_currency_code ?? account.currency,
        date: t.date,
        authorized_date: t.authorized_date ?? null,
        is_pending: t.pending,
        ...(t.category ? { category: t.category } : {}),
        ...(t.check_number ? { check_number: t.check_number } : {}),
        ...(t.merchant_name ? { merchant_name: t.merchant_name } : {}),
        ...(paymentChannels[t.payment_channel] ? { payment_channel: paymentChannels[t.payment_channel] } : {}),
        ...(t.payment_meta?.payment_method ? { payment_method: t.payment_meta.payment_method } : {}),
        ...(t.transaction_type ? { transaction_type: t.transaction_type } : {}),
      })),
    }
  }

  /**
   * Asks the vendor to refresh (when forced) and counts the item's transactions over the sync
   * window; the caller records the time on the item's accounts.
   */
  async refreshTransactions(workspace: Workspace, id: string, force: boolean): Promise<{ account: AccountRow; synced: number }> {
    const { account, item } = await this.linked(workspace, id)
    const client = this.links.vendorClient(workspace)
    const accessToken = this.links.accessTokenOf(item)
    const today = this.services.clock.now(workspace.id)
    try {
      if (force) await client.transactionsRefresh({ access_token: accessToken })
      const answer = (await client.transactionsGet({
        access_token: accessToken,
        start_date: new Date(today.getTime() - transactionsSyncWindowDays * dayMs).toISOString().slice(0, 10), end_date: today.toISOString().slice(0, 10),
        options: { count: 1 },
      })).data
      return { account, synced: answer.total_transactions }
    } catch (err) {
      throw vendorRefused(plaidFailureOf(err), 'the transaction refresh')
    }
  }
}
