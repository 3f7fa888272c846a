// Opening accounts and funding them through the API, the way an integrator would.
import assert from 'node:assert/strict'
import { auditLedger } from '../../src/ledger/index.js'
import type { Harness } from './harness.js'
import { createVerifiedBusiness } from './parties.js'

export const templateBody = (over: Record<string, unknown> = {}, template: Record<string, unknown> = {}) => ({
  name: 'Checking', is_enabled: true,
  template: { account_type: 'CHECKING', currency: 'USD', bank_country: 'US', ...template },
  ...over,
})

export async function createTemplate(h: Harness, template: Record<string, unknown> = {}, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/accounts/templates', { body: templateBody({}, template), key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

/** A CHECKING account held by a freshly verified business, optionally with terms overriding the template. */
export async function openAccount(h: Harness, terms: Record<string, unknown> = {}, key?: string): Promise<any> {
  const holder = await createVerifiedBusiness(h, {}, key)
  const template = await createTemplate(h, {}, key)
  const res = await h.request('POST', '/v0/accounts', {
    key,
    body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: holder.id }], ...terms },
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

export async function fundingAccount(h: Harness, key?: string): Promise<any> {
  const res = await h.request('GET', '/v0/internal_accounts', { key })
  assert.equal(res.status, 200)
  const funding = res.body.internal_accounts.find((a: any) => a.account_type === 'NEW_FUNDING_ACCOUNT')
  assert.ok(funding, 'the sandbox funding account exists')
  return funding
}

export async function transfer(h: Harness, body: Record<string, unknown>, options: { key?: string; headers?: Record<string, string> } = {}) {
  return h.request('POST', '/v0/transactions/internal_transfer', { body: { currency: 'USD', type: 'ACCOUNT_TO_ACCOUNT', ...body }, ...options })
}

export const balanceOf = (account: any, type: 'ACCOUNT_BALANCE' | 'AVAILABLE_BALANCE'): number =>
  account.balances.find((b: any) => b.type === type).balance

export async function balances(h: Harness, accountId: string, key?: string): Promise<{ posted: number; available: number }> {
  const res = await h.request('GET', `/v0/accounts/${accountId}`, { key })
  assert.equal(res.status, 200)
  return { posted: balanceOf(res.body, 'ACCOUNT_BALANCE'), available: balanceOf(res.body, 'AVAILABLE_BALANCE') }
}

/** The ledger's audit of every workspace finds nothing wrong (`keel ledger check`'s rules). */
export async function assertBooksClean(h: Harness): Promise<void> {
  const report = await auditLedger(h.sql)
  assert.deepEqual(report.discrepancies, [])
}
