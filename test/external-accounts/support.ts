// What the external-account tests share: a harness that listens on loopback (the built-in Plaid
// sandbox is served on Keel's own port, and the SDK reaches it over HTTP), the official Plaid SDK
// pointed at it, and the browser-free shortcut to a public token.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { Configuration, PlaidApi, Products } from 'plaid'
import type { Clock } from '../../src/platform/clock.js'
import { startHarness, type Harness } from '../support/harness.js'

export interface ListeningHarness extends Harness { baseUrl: string; plaid: PlaidApi }

export async function startListeningHarness(clock?: Clock): Promise<ListeningHarness> {
  const h = await startHarness(clock ? { clock } : {})
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = h.app.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  // An integrator's own SDK client, with any keys: the built-in sandbox accepts every pair.
  const plaid = new PlaidApi(new Configuration({ basePath: `${baseUrl}/plaid`, baseOptions: { headers: { 'PLAID-CLIENT-ID': 'test-client', 'PLAID-SECRET': 'test-secret' } } }))
  return Object.assign(h, { baseUrl, plaid })
}

/** POST /plaid/sandbox/public_token/create, as a CI pipeline would use it instead of Link. */
export async function sandboxPublicToken(h: ListeningHarness, options: { institution_id?: string; username?: string; password?: string } = {}): Promise<string> {
  const res = await h.plaid.sandboxPublicTokenCreate({
    institution_id: options.institution_id ?? 'ins_109508',
    initial_products: [Products.Auth],
    ...(options.username ? { options: { override_username: options.username, override_password: options.password ?? 'pass_good' } } : {}),
  })
  return res.data.public_token
}

/** The public token exchanged through Keel for a customer (or business): the access token. */
export async function linkedAccessToken(h: ListeningHarness, party: { customer_id: string } | { business_id: string }, key?: string): Promise<string> {
  const publicToken = await sandboxPublicToken(h)
  const res = await h.request('POST', '/v0/external_accounts/access_tokens', { key, body: { ...party, vendor_institution_id: 'ins_109508', vendor_public_token: publicToken } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.vendor_access_token
}

/** The item's account ids by mask (what Link's onSuccess metadata would list). */
export async function accountIdsByMask(h: ListeningHarness, accessToken: string): Promise<Record<string, string>> {
  const res = await h.plaid.accountsGet({ access_token: accessToken })
  return Object.fromEntries(res.data.accounts.map((a) => [a.mask!, a.account_id]))
}

/** A person whose contact data matches the owner Plaid's sandbox reports for user_good on name and email. */
export const albertaBody = {
  first_name: 'Alberta', last_name: 'Charleson', email: 'accounts1@example.com',
}

/** A manual account body with a valid routing number (Citizens Bank, in the FedACH directory). */
export function manualBody(party: { customer_id: string } | { business_id: string }, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...party,
    customer_type: 'customer_id' in party ? 'PERSONAL' : 'BUSINESS',
    type: 'CHECKING',
    account_owner_names: ['Ada Lovelace'],
    account_identifiers: { number: '123456789' },
    routing_identifiers: { ach_routing_number: '011401533', bank_countries: ['US'], bank_name: 'Any Bank' },
    ...overrides,
  }
}
