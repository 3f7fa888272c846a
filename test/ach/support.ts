// What the ACH tests share: a workspace clock moved to a known Eastern time, a funded account held by
// a verified business, its external account, and the books checked after every scenario.
import assert from 'node:assert/strict'
import type { Harness } from '../support/harness.js'
import { assertBooksClean, balances, createTemplate, fundingAccount, transfer } from '../support/accounts.js'
import { createVerifiedBusiness } from '../support/parties.js'
import { manualBody } from '../external-accounts/support.js'

export interface Customer { business: any; account: any; external: any }

export const advanceTo = async (h: Harness, to: string, key?: string) => {
  const res = await h.request('POST', '/v0/sandbox/clock/advance', { body: { to }, key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
}

let accountNumberSeq = 100000
/** A business with an account funded with `funds` and an external account (owner verified unless told). */
export async function customer(h: Harness, funds: number, options: { verified?: boolean; key?: string; terms?: Record<string, unknown> } = {}): Promise<Customer> {
  const { key } = options
  const business = await createVerifiedBusiness(h, {}, key)
  const template = await createTemplate(h, {}, key)
  const opened = await h.request('POST', '/v0/accounts', { key, body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: business.id }], ...options.terms } })
  assert.equal(opened.status, 201, JSON.stringify(opened.body))
  if (funds > 0) {
    const funding = await fundingAccount(h, key)
    const funded = await transfer(h, { amount: funds, originating_account_id: funding.id, receiving_account_id: opened.body.id }, { key })
    assert.equal(funded.status, 200, JSON.stringify(funded.body))
  }
  const external = await h.request('POST', '/v0/external_accounts', {
    key,
    body: manualBody({ business_id: business.id }, {
      account_identifiers: { number: String(accountNumberSeq++) },
      ...(options.verified === false ? {} : { verification: { vendor: 'MANUAL', status: 'VERIFIED' } }),
    }),
  })
  assert.equal(external.status, 201, JSON.stringify(external.body))
  return { business, account: opened.body, external: external.body }
}

export async function originate(h: Harness, c: Customer, body: Record<string, unknown>, key?: string) {
  return h.request('POST', '/v0/ach', {
    key,
    body: { currency: 'USD', customer_id: c.business.id, originating_account_id: c.account.id, receiving_account_id: c.external.id, ...body },
  })
}

export async function getAch(h: Harness, id: string, key?: string) {
  const res = await h.request('GET', `/v0/ach/${id}`, { key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}

export async function expectBalances(h: Harness, accountId: string, expected: { posted: number; available: number }, key?: string) {
  assert.deepEqual(await balances(h, accountId, key), expected)
}

export { assertBooksClean }

export async function incomingByAccount(h: Harness, accountNo: string, key?: string): Promise<any[]> {
  const res = await h.request('GET', '/v0/ach/incoming', { key })
  assert.equal(res.status, 200)
  return res.body.transactions.filter((t: any) => t.account_no === accountNo)
}

/** The receiving bank's return of an entry (or a dishonor of a return Keel sent), simulated. */
export const simulateReturn = (h: Harness, body: Record<string, unknown>) => h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body })

/** A NACHA file ingested through the API. */
export const ingestFile = (h: Harness, content: string) => h.request('POST', '/v0/ach/files', { payload: content, headers: { 'content-type': 'text/plain' } })
