// Spend controls: the rules a fintech attaches to accounts (through the account's
// `spend_control_ids`) to limit what its cards may do. The card authorization engine reads them
// (controlsOfAccount) and decides with them; this file keeps the resource and its rules.

import { amountToJson } from '../ledger/index.js'
import { isoString as iso } from '../platform/clock.js'
import { badBody } from '../platform/errors.js'
import type { SpendControlRow } from './store.js'

type Json = Record<string, unknown>

export function toSpendControl(row: SpendControlRow, relatedAccounts: number): Json {
  return {
    id: row.id, name: row.name, is_active: row.is_active, action_case: row.action_case, action_decline: row.action_decline,
    amount_limit: amountToJson(BigInt(row.amount_limit)),
    ...(row.direction ? { direction: row.direction } : {}),
    ...(row.merchant_category_codes.length ? { merchant_category_codes: row.merchant_category_codes } : {}),
    ...(row.payment_types.length ? { payment_types: row.payment_types } : {}),
    ...(row.payment_sub_types.length ? { payment_sub_types: row.payment_sub_types } : {}),
    time_range: row.time_range_type === 'ROLLING_WINDOW_DAYS' ? { time_range_type: 'ROLLING_WINDOW_DAYS', days: row.window_days } : { time_range_type: 'SINGLE_TRANSACTION' },
    creation_time: iso(row.created_at), last_modified_time: iso(row.updated_at),
    number_of_related_accounts: relatedAccounts,
  }
}

/** A rolling window's bounds, in days, as the spec sets them. */
export const windowDaysMin = 1
export const windowDaysMax = 31

/** The time range of a request, checked: a rolling window names its days. */
export function timeRangeOf(body: { time_range?: unknown }): Pick<SpendControlRow, 'time_range_type' | 'window_days'> {
  const range = body.time_range as Json
  if (range.time_range_type === 'ROLLING_WINDOW_DAYS') {
    if (range.days === undefined) throw badBody('time_range: a ROLLING_WINDOW_DAYS range needs days (1 to 31)', { missing: ['time_range.days'] })
    // The spec's branches overlap (a rolling range also matches the single-transaction branch), so its bounds are checked here.
    if (!Number.isInteger(range.days) || (range.days as number) < windowDaysMin || (range.days as number) > windowDaysMax) {
      throw badBody(`time_range.days is ${windowDaysMin} to ${windowDaysMax}`, { invalid: { 'time_range.days': `${windowDaysMin} to ${windowDaysMax}` } })
    }
    return { time_range_type: 'ROLLING_WINDOW_DAYS', window_days: range.days as number }
  }
  if (range.days !== undefined) throw badBody('time_range: days apply to ROLLING_WINDOW_DAYS only', { invalid: { 'time_range.days': 'only with ROLLING_WINDOW_DAYS' } })
  return { time_range_type: 'SINGLE_TRANSACTION', window_days: null }
}

/** An MCC range names its low end first. */
export function checkMerchantCategoryCodes(codes: readonly string[] | undefined): void {
  for (const code of codes ?? []) {
    const [low, high] = code.split('-')
    if (high !== undefined && Number(low) > Number(high)) throw badBody(`merchant_category_codes: range ${code} runs backwards`, { invalid: { merchant_category_codes: 'a range is low-high' } })
  }
}

/** Safe integer amounts only: a JSON number past 2^53 has already lost digits. */
export function checkAmountLimit(amount: unknown): void {
  if (amount !== undefined && !Number.isSafeInteger(amount)) throw badBody(`amount_limit must be at most ${Number.MAX_SAFE_INTEGER}`, { invalid: { amount_limit: 'larger than a JSON integer holds exactly' } })
}
