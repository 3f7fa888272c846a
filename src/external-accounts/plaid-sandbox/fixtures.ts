// What Plaid's own sandbox documents, reproduced: its test institutions, the user_good login, the
// user's accounts with their numbers and balances, the identity Plaid returns for them, and
// transactions. Everything is derived from the item id and the date, so it is the same on every
// call and every node.
import { createHash } from 'node:crypto'
import { dayMs } from '../../platform/clock.js'

export interface SandboxInstitution { institution_id: string; name: string; url: string; primary_color: string }

/** Non-OAuth institutions, the ones Plaid says every sandbox test user works with. */
export const sandboxInstitutions: readonly SandboxInstitution[] = [
  { institution_id: 'ins_109508', name: 'First Platypus Bank', url: 'https://www.platypus.example', primary_color: '#1f6f43' },
  { institution_id: 'ins_109509', name: 'First Gingham Credit Union', url: 'https://www.gingham.example', primary_color: '#b03a2e' },
  { institution_id: 'ins_109510', name: 'Tattersall Federal Credit Union', url: 'https://www.tattersall.example', primary_color: '#2e4053' },
  { institution_id: 'ins_109511', name: 'Tartan Bank', url: 'https://www.tartan.example', primary_color: '#6c3483' },
  { institution_id: 'ins_109512', name: 'Houndstooth Bank', url: 'https://www.houndstooth.example', primary_color: '#212f3c' },
]

export const institutionById = (id: string): SandboxInstitution | undefined => sandboxInstitutions.find((i) => i.institution_id === id)

/** Users that sign in with their documented password; user_transactions_dynamic takes any password. */
export const sandboxUsers: Record<string, { password: string | null }> = {
  user_good: { password: 'pass_good' },
  user_transactions_dynamic: { password: null },
}

/**
 * Plaid's documented way to make Link fail: sign in as user_good with the password
 * `error_<ERROR_CODE>`. These are the codes the sandbox answers, with Plaid's messages.
 */
export const linkErrors: Record<string, { error_type: string; error_message: string; display_message: string }> = {
  INVALID_CREDENTIALS: { error_type: 'ITEM_ERROR', error_message: 'the provided credentials were not correct', display_message: 'The provided credentials were not correct. Please try again.' },
  ITEM_LOCKED: { error_type: 'ITEM_ERROR', error_message: 'the account is locked. prompt the user to visit the institution\'s site and unlock their account', display_message: 'The given credentials are correct but your account is locked. Visit your bank\'s site to unlock it, then try again.' },
  ITEM_NOT_SUPPORTED: { error_type: 'ITEM_ERROR', error_message: 'this account is currently not supported', display_message: 'This account is not currently supported.' },
  INSTITUTION_DOWN: { error_type: 'INSTITUTION_ERROR', error_message: 'this institution is not currently responding to this request. please try again soon', display_message: 'This financial institution is not currently responding to requests. We apologize for the inconvenience.' },
  INSTITUTION_NOT_RESPONDING: { error_type: 'INSTITUTION_ERROR', error_message: 'this institution is not currently responding to this request. please try again soon', display_message: 'This financial institution is not currently responding to requests. We apologize for the inconvenience.' },
}

/** The error an item reports once its login must be repeated (POST /sandbox/item/reset_login). */
export const itemLoginRequired = {
  error_type: 'ITEM_ERROR',
  error_code: 'ITEM_LOGIN_REQUIRED',
  error_message: 'the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link\'s update mode to restore the item to a good state',
  display_message: 'Your login details have changed. Please sign in to your bank again through the app.',
}

export interface SandboxAccount {
  mask: string
  name: string
  official_name: string
  type: 'depository' | 'credit'
  subtype: string
  balances: { available: number | null; current: number; limit: number | null }
  /** ACH numbers, for the accounts Plaid Auth returns them for (checking and savings). */
  ach: { account: string; routing: string; wire_routing: string } | null
}

/** The accounts of user_good, as Plaid's sandbox documents them. */
export const sandboxAccounts: readonly SandboxAccount[] = [
  { mask: '0000', name: 'Plaid Checking', official_name: 'Plaid Gold Standard 0% Interest Checking', type: 'depository', subtype: 'checking', balances: { available: 100, current: 110, limit: null }, ach: { account: '1111222233330000', routing: '011401533', wire_routing: '021000021' } },
  { mask: '1111', name: 'Plaid Saving', official_name: 'Plaid Silver Standard 0.1% Interest Saving', type: 'depository', subtype: 'savings', balances: { available: 200, current: 210, limit: null }, ach: { account: '1111222233331111', routing: '011401533', wire_routing: '021000021' } },
  { mask: '2222', name: 'Plaid CD', official_name: 'Plaid Bronze Standard 0.2% Interest CD', type: 'depository', subtype: 'cd', balances: { available: null, current: 1000, limit: null }, ach: null },
  { mask: '3333', name: 'Plaid Credit Card', official_name: 'Plaid Diamond 12.5% APR Interest Credit Card', type: 'credit', subtype: 'credit card', balances: { available: null, current: 410, limit: 2000 }, ach: null },
  { mask: '4444', name: 'Plaid Money Market', official_name: 'Plaid Platinum Standard 1.85% Interest Money Market', type: 'depository', subtype: 'money market', balances: { available: 43200, current: 43200, limit: null }, ach: null },
]

/** The owner Plaid's sandbox returns from /identity/get for user_good's accounts. */
export const sandboxOwner = {
  names: ['Alberta Bobbeth Charleson'],
  phone_numbers: [
    { data: '2025550123', primary: false, type: 'home' },
    { data: '1112224444', primary: false, type: 'work' },
    { data: '1112225555', primary: false, type: 'mobile' },
  ],
  emails: [
    { data: 'accounts1@example.com', primary: true, type: 'primary' },
    { data: 'accounts2@example.com', primary: false, type: 'secondary' },
    { data: 'extraordinarily.long.email.username.123456@reallylonghostname.com', primary: false, type: 'other' },
  ],
  addresses: [
    { data: { street: '2992 Cameron Road', city: 'Malakoff', region: 'NY', postal_code: '14236', country: 'US' }, primary: true },
    { data: { street: '2493 Leisure Lane', city: 'San Matias', region: 'CA', postal_code: '93405-2255', country: 'US' }, primary: false },
  ],
}

/** A Plaid-looking id (37 letters and digits), the same for the same input. */
export function plaidId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 37)
}

export const accountIdOf = (itemId: string, mask: string): string => plaidId('account', itemId, mask)

interface TransactionTemplate {
  name: string
  merchant_name: string | null
  amount: number
  payment_channel: 'online' | 'in store' | 'other'
  category: string[]
  transaction_type: 'place' | 'special' | 'digital'
  payment_method: string | null
}

// Plaid's sandbox transactions. Positive amounts leave the account, as Plaid reports them.
const templates: readonly TransactionTemplate[] = [
  { name: 'Uber 063015 SF**POOL**', merchant_name: 'Uber', amount: 5.4, payment_channel: 'online', category: ['Travel', 'Taxi'], transaction_type: 'special', payment_method: null },
  { name: 'Starbucks', merchant_name: 'Starbucks', amount: 4.33, payment_channel: 'in store', category: ['Food and Drink', 'Restaurants', 'Coffee Shop'], transaction_type: 'place', payment_method: null },
  { name: "McDonald's", merchant_name: "McDonald's", amount: 12, payment_channel: 'in store', category: ['Food and Drink', 'Restaurants', 'Fast Food'], transaction_type: 'place', payment_method: null },
  { name: 'SparkFun', merchant_name: 'SparkFun', amount: 89.4, payment_channel: 'in store', category: ['Food and Drink', 'Restaurants'], transaction_type: 'place', payment_method: null },
  { name: 'ACH Electronic CreditGUSTO PAY 123456', merchant_name: null, amount: -5850, payment_channel: 'online', category: ['Transfer', 'Debit'], transaction_type: 'special', payment_method: 'ACH' },
  { name: 'United Airlines', merchant_name: 'United Airlines', amount: 500, payment_channel: 'in store', category: ['Travel', 'Airlines and Aviation Services'], transaction_type: 'special', payment_method: null },
  { name: 'Touchstone Climbing', merchant_name: 'Touchstone Climbing', amount: 78.5, payment_channel: 'in store', category: ['Recreation', 'Gyms and Fitness Centers'], transaction_type: 'place', payment_method: null },
  { name: 'INTRST PYMNT', merchant_name: null, amount: -4.22, payment_channel: 'other', category: ['Transfer', 'Credit'], transaction_type: 'special', payment_method: null },
  { name: 'CREDIT CARD 3333 PAYMENT *//', merchant_name: null, amount: 25, payment_channel: 'other', category: ['Payment', 'Credit Card'], transaction_type: 'special', payment_method: null },
]

/** How far back an item's history reaches from the day it was linked. */
export const transactionHistoryDays = 90
/** Transactions this recent are still pending. */
export const pendingDays = 2
/** Accounts that carry transactions: one every `everyDays` days, at an offset per account. */
const transactionAccounts: Record<string, { everyDays: number; offset: number }> = {
  '0000': { everyDays: 2, offset: 0 },
  '1111': { everyDays: 7, offset: 3 },
  '3333': { everyDays: 3, offset: 1 },
}

export interface SandboxTransaction {
  transaction_id: string
  account_id: string
  mask: string
  date: string
  authorized_date: string
  pending: boolean
  template: TransactionTemplate
}

export const dayNumber = (d: Date): number => Math.floor(d.getTime() / dayMs)
export const dateOfDay = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10)
export const dayOfDate = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / dayMs)

/**
 * The item's transactions on days [fromDay, toDay] (UTC day numbers): history starts
 * transactionHistoryDays before the item was linked and grows as the clock moves on.
 */
export function sandboxTransactions(itemId: string, masks: readonly string[], linkedAt: Date, today: Date, fromDay: number, toDay: number): SandboxTransaction[] {
  const first = Math.max(fromDay, dayNumber(linkedAt) - transactionHistoryDays)
  const last = Math.min(toDay, dayNumber(today))
  const out: SandboxTransaction[] = []
  for (let day = last; day >= first; day--) {
    for (const mask of masks) {
      const rule = transactionAccounts[mask]
      if (!rule || (day + rule.offset) % rule.everyDays !== 0) continue
      const template = templates[Math.floor(day / rule.everyDays + rule.offset) % templates.length]
      out.push({
        transaction_id: plaidId('transaction', itemId, mask, String(day)),
        account_id: accountIdOf(itemId, mask),
        mask,
        date: dateOfDay(day),
        authorized_date: dateOfDay(day - 1),
        pending: day > dayNumber(today) - pendingDays,
        template,
      })
    }
  }
  return out
}
