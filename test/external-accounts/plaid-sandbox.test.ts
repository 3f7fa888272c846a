// Keel's built-in Plaid sandbox on its own, through the official SDK as any Plaid client would call
// it: Plaid's request shapes, errors, test users and lifetimes.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Configuration, CountryCode, PlaidApi, Products } from 'plaid'
import { startHarness } from '../support/harness.js'
import { sandboxPublicToken, startListeningHarness, type ListeningHarness } from './support.js'

let now = new Date('2026-02-10T12:00:00.000Z')
let h: ListeningHarness
before(async () => { h = await startListeningHarness({ now: () => now }) })
after(async () => { await h.close() })

/** The Plaid error a rejected SDK call carries. */
async function plaidError(call: Promise<unknown>): Promise<{ status: number; error_type: string; error_code: string; request_id: string }> {
  try {
    await call
  } catch (err: any) {
    assert.ok(err.response, String(err))
    return { status: err.response.status, ...err.response.data }
  }
  assert.fail('the call succeeded')
}

async function accessToken(): Promise<string> {
  return (await h.plaid.itemPublicTokenExchange({ public_token: await sandboxPublicToken(h) })).data.access_token
}

describe('the built-in Plaid sandbox', () => {
  it('needs some client_id and secret (any pair), as headers or in the body', async () => {
    const keyless = new PlaidApi(new Configuration({ basePath: `${h.baseUrl}/plaid` }))
    const e = await plaidError(keyless.institutionsGetById({ institution_id: 'ins_109508', country_codes: [CountryCode.Us] }))
    assert.deepEqual([e.status, e.error_type, e.error_code], [400, 'INVALID_REQUEST', 'MISSING_FIELDS'])
    const inBody = await keyless.institutionsGetById({ institution_id: 'ins_109508', country_codes: [CountryCode.Us], client_id: 'x', secret: 'y' })
    assert.equal(inBody.data.institution.name, 'First Platypus Bank')
    assert.match(inBody.data.request_id, /^[A-Za-z0-9]{1,15}$/)
  })

  it('creates public tokens for the documented users, and Plaid\'s errors for the others', async () => {
    assert.match(await sandboxPublicToken(h), /^public-sandbox-/)
    assert.match(await sandboxPublicToken(h, { username: 'user_transactions_dynamic', password: 'anything' }), /^public-sandbox-/)
    const bad = await plaidError(h.plaid.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: [Products.Auth], options: { override_username: 'user_good', override_password: 'nope' } }))
    assert.deepEqual([bad.error_type, bad.error_code], ['ITEM_ERROR', 'INVALID_CREDENTIALS'])
    const locked = await plaidError(h.plaid.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: [Products.Auth], options: { override_username: 'user_good', override_password: 'error_ITEM_LOCKED' } }))
    assert.equal(locked.error_code, 'ITEM_LOCKED')
    const institution = await plaidError(h.plaid.sandboxPublicTokenCreate({ institution_id: 'ins_999999', initial_products: [Products.Auth] }))
    assert.equal(institution.error_code, 'INVALID_FIELD')
    const noProducts = await plaidError(h.plaid.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: [] }))
    assert.equal(noProducts.error_code, 'MISSING_FIELDS')
  })

  it('serves auth numbers, identity, balances and transactions for an item', async () => {
    const token = await accessToken()
    const auth = (await h.plaid.authGet({ access_token: token })).data
    assert.deepEqual(auth.numbers.ach.map((n) => [n.account, n.routing, n.wire_routing]), [['1111222233330000', '011401533', '021000021'], ['1111222233331111', '011401533', '021000021']])
    assert.deepEqual(auth.accounts.map((a) => [a.mask, a.type, a.subtype]), [['0000', 'depository', 'checking'], ['1111', 'depository', 'savings'], ['2222', 'depository', 'cd'], ['3333', 'credit', 'credit card'], ['4444', 'depository', 'money market']])
    const identity = (await h.plaid.identityGet({ access_token: token })).data
    assert.deepEqual(identity.accounts[0].owners[0].names, ['Alberta Bobbeth Charleson'])
    const balance = (await h.plaid.accountsBalanceGet({ access_token: token, options: { account_ids: [auth.accounts[0].account_id] } })).data
    assert.deepEqual(balance.accounts.map((a) => [a.balances.available, a.balances.current, a.balances.last_updated_datetime]), [[100, 110, now.toISOString()]])
    const txs = (await h.plaid.transactionsGet({ access_token: token, start_date: '2026-01-01', end_date: '2026-02-10', options: { count: 5, offset: 2 } })).data
    assert.equal(txs.transactions.length, 5)
    assert.ok(txs.total_transactions > 20)
    assert.ok(txs.transactions.every((t) => t.date >= '2026-01-01' && t.date <= '2026-02-10'))
    const unknownAccount = await plaidError(h.plaid.accountsGet({ access_token: token, options: { account_ids: ['nope'] } }))
    assert.equal(unknownAccount.error_code, 'INVALID_ACCOUNT_ID')
    const reversed = await plaidError(h.plaid.transactionsGet({ access_token: token, start_date: '2026-02-10', end_date: '2026-01-01' }))
    assert.equal(reversed.error_code, 'INVALID_FIELD')
    const tooMany = await plaidError(h.plaid.transactionsGet({ access_token: token, start_date: '2026-01-01', end_date: '2026-02-10', options: { count: 501 } }))
    assert.equal(tooMany.error_code, 'INVALID_FIELD')
  })

  it('refuses unknown and removed access tokens, and reports login required after reset_login', async () => {
    const malformed = await plaidError(h.plaid.accountsGet({ access_token: 'not-a-token' }))
    assert.equal(malformed.error_code, 'INVALID_ACCESS_TOKEN')
    const token = await accessToken()
    await h.plaid.sandboxItemResetLogin({ access_token: token })
    const login = await plaidError(h.plaid.authGet({ access_token: token }))
    assert.deepEqual([login.error_type, login.error_code], ['ITEM_ERROR', 'ITEM_LOGIN_REQUIRED'])
    assert.equal((await h.plaid.itemGet({ access_token: token })).data.item.error?.error_code, 'ITEM_LOGIN_REQUIRED')
    await h.plaid.itemRemove({ access_token: token })
    assert.equal((await plaidError(h.plaid.itemGet({ access_token: token }))).error_code, 'INVALID_ACCESS_TOKEN')
  })

  it('link tokens need Plaid\'s fields; public tokens are single-use and last 30 minutes', async () => {
    const missing = await plaidError(h.plaid.linkTokenCreate({ client_name: 'x', language: 'en', country_codes: [CountryCode.Us], user: { client_user_id: 'u' } }))
    assert.equal(missing.error_code, 'MISSING_FIELDS')
    const created = (await h.plaid.linkTokenCreate({ client_name: 'x', language: 'en', country_codes: [CountryCode.Us], user: { client_user_id: 'u' }, products: [Products.Auth] })).data
    assert.equal(created.expiration, new Date(now.getTime() + 4 * 3600_000).toISOString())
    const publicToken = await sandboxPublicToken(h)
    await h.plaid.itemPublicTokenExchange({ public_token: publicToken })
    assert.equal((await plaidError(h.plaid.itemPublicTokenExchange({ public_token: publicToken }))).error_code, 'INVALID_PUBLIC_TOKEN')
    const late = await sandboxPublicToken(h)
    now = new Date(now.getTime() + 30 * 60_000)
    assert.equal((await plaidError(h.plaid.itemPublicTokenExchange({ public_token: late }))).error_code, 'INVALID_PUBLIC_TOKEN')
  })
})

describe('with real Plaid configured', () => {
  it('does not serve the built-in sandbox at /plaid', async () => {
    const saved = { ...process.env }
    Object.assign(process.env, { PLAID_CLIENT_ID: 'id', PLAID_SECRET: 'secret', PLAID_ENV: 'sandbox' })
    try {
      const real = await startHarness()
      try {
        const res = await real.app.inject({ method: 'POST', url: '/plaid/sandbox/public_token/create', payload: { institution_id: 'ins_109508', initial_products: ['auth'] } })
        assert.equal(res.statusCode, 404)
        assert.equal(res.json().code, 'RESOURCE_NOT_FOUND')
        assert.equal((await real.app.inject({ method: 'GET', url: '/plaid/link?token=x' })).statusCode, 404)
      } finally {
        await real.close()
      }
    } finally {
      for (const k of ['PLAID_CLIENT_ID', 'PLAID_SECRET', 'PLAID_ENV']) if (!(k in saved)) delete process.env[k]
    }
  })
})
