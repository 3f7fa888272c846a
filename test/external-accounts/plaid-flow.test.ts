// The whole Plaid flow through the official SDK against Keel's built-in Plaid sandbox: link token →
// public token (the CI shortcut) → access token → add accounts with and without owner verification
// → balance → transactions → refresh → sync → patch → delete, and every failure reason.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createBusiness, createPerson } from '../support/parties.js'
import { accountIdsByMask, albertaBody, linkedAccessToken, sandboxPublicToken, startListeningHarness, type ListeningHarness } from './support.js'

let now = new Date('2026-06-15T15:00:00.000Z')
const advance = (ms: number) => { now = new Date(now.getTime() + ms) }
const minuteMs = 60_000

let h: ListeningHarness
before(async () => { h = await startListeningHarness({ now: () => now }) })
after(async () => { await h.close() })

async function eventsOf(workspaceId: string, resourceId: string): Promise<string[]> {
  const rows = await h.sql<{ type: string }[]>`select type from events where workspace_id = ${workspaceId} and resource_id = ${resourceId} order by id`
  return rows.map((r) => r.type)
}

describe('link tokens', () => {
  it('creates a link token for a customer, valid 4 hours, and echoes the request', async () => {
    const person = await createPerson(h)
    const res = await h.request('POST', '/v0/external_accounts/link_tokens', {
      body: { customer_id: person.id, client_name: 'Keel Test App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY', redirect_uri: 'https://app.example/return' },
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.match(res.body.link_token, /^link-sandbox-[0-9a-f-]{36}$/)
    assert.equal(res.body.expiration, new Date(now.getTime() + 4 * 60 * minuteMs).toISOString())
    assert.equal(typeof res.body.request_id, 'string')
    assert.deepEqual({ ...res.body, link_token: undefined, expiration: undefined, request_id: undefined }, {
      customer_id: person.id, client_name: 'Keel Test App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY', sdk_type: 'WEB', verify_owner: false,
      redirect_uri: 'https://app.example/return', link_token: undefined, expiration: undefined, request_id: undefined,
    })
    const [stored] = await h.sql`select client_name, products, language from plaid_sandbox_link_tokens where client_id = ${h.workspaces.a} order by created_at desc limit 1`
    assert.deepEqual({ ...stored }, { client_name: 'Keel Test App', products: ['auth'], language: 'en' })
  })

  it('creates one for a business, in update mode for an access token of that business', async () => {
    const business = await createBusiness(h)
    const token = await linkedAccessToken(h, { business_id: business.id })
    const res = await h.request('POST', '/v0/external_accounts/link_tokens', {
      body: { business_id: business.id, client_name: 'App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY', vendor_access_token: token, verify_owner: true },
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.business_id, business.id)
    assert.equal(res.body.vendor_access_token, undefined)
  })
})

describe('access tokens', () => {
  it('exchanges a public token once; the access token is stored encrypted, the replay answers the same token', async () => {
    const person = await createPerson(h)
    const publicToken = await sandboxPublicToken(h)
    const body = { customer_id: person.id, vendor_institution_id: 'ins_109508', vendor_public_token: publicToken }
    const res = await h.request('POST', '/v0/external_accounts/access_tokens', { body, headers: { 'idempotency-key': 'exchange-1' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.match(res.body.vendor_access_token, /^access-sandbox-[0-9a-f-]{36}$/)
    assert.deepEqual(Object.keys(res.body).sort(), ['customer_id', 'request_id', 'vendor_access_token', 'vendor_institution_id', 'vendor_public_token'])
    const replay = await h.request('POST', '/v0/external_accounts/access_tokens', { body, headers: { 'idempotency-key': 'exchange-1' } })
    assert.equal(replay.status, 201)
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    assert.deepEqual(replay.body, res.body)
    // At rest: neither the item row nor the stored idempotent answer holds the token in the clear.
    const token = res.body.vendor_access_token as string
    const [item] = await h.sql`select * from external_account_items where workspace_id = ${h.workspaces.a} and customer_id = ${person.id}`
    assert.ok(!JSON.stringify(item).includes(token))
    assert.equal(item.institution_name, 'First Platypus Bank')
    const [stored] = await h.sql`select response_body::text as body from idempotency_keys where workspace_id = ${h.workspaces.a} and key = 'exchange-1'`
    assert.ok(!stored.body.includes(token))
    // Single use: a second exchange of the same public token is refused by the vendor.
    const again = await h.request('POST', '/v0/external_accounts/access_tokens', { body })
    assert.equal(again.status, 400)
    assert.equal(again.body.code, 'BAD_REQUEST_BODY')
    assert.match(again.body.detail, /INVALID_PUBLIC_TOKEN/)
  })

  it('refuses a public token older than 30 minutes', async () => {
    const person = await createPerson(h)
    const publicToken = await sandboxPublicToken(h)
    advance(30 * minuteMs + 1)
    const res = await h.request('POST', '/v0/external_accounts/access_tokens', { body: { customer_id: person.id, vendor_institution_id: 'ins_109508', vendor_public_token: publicToken } })
    assert.equal(res.status, 400)
    assert.match(res.body.detail, /INVALID_PUBLIC_TOKEN/)
  })
})

describe('adding and syncing vendor accounts', () => {
  it('adds checking and savings with owner verification, lists why the others fail, and never fails the whole call', async () => {
    const person = await createPerson(h, albertaBody)
    const token = await linkedAccessToken(h, { customer_id: person.id })
    const ids = await accountIdsByMask(h, token)
    assert.deepEqual(Object.keys(ids).sort(), ['0000', '1111', '2222', '3333', '4444'])
    const res = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', {
      body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, verify_owner: true, vendor_account_ids: [ids['0000'], ids['1111'], ids['3333'], 'no-such-account'] },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.added_accounts.length, 2)
    const checking = res.body.added_accounts[0]
    assert.deepEqual({ ...checking, id: undefined, creation_time: undefined, last_updated_time: undefined, verification: { ...checking.verification, creation_time: undefined, last_updated_time: undefined } }, {
      id: undefined, customer_id: person.id,
      account_identifiers: { number: '0000' },
      account_owner_names: ['Alberta Bobbeth Charleson'],
      routing_identifiers: { ach_routing_number: '011401533', wire_routing_number: '021000021', bank_countries: ['US'], bank_name: 'First Platypus Bank' },
      type: 'CHECKING', status: 'ACTIVE', currency: 'USD', name: 'Plaid Gold Standard 0% Interest Checking', nickname: null,
      vendor_data: { account_number_mask: '0000', institution_id: 'ins_109508' },
      verification: { vendor: 'PLAID', status: 'VERIFIED', creation_time: undefined, last_updated_time: undefined },
      creation_time: undefined, last_updated_time: undefined,
    })
    assert.equal(checking.verification.creation_time, now.toISOString())
    assert.equal(res.body.added_accounts[1].type, 'SAVINGS')
    assert.deepEqual(res.body.failed_accounts.map((f: any) => [f.vendor_account_id, f.reason]), [[ids['3333'], 'UNSUPPORTED_ACCOUNT_TYPE'], ['no-such-account', 'ACCOUNT_NOT_FOUND']])
    assert.equal(res.body.deleted_accounts, undefined)
    // The full account number is kept encrypted, never in the clear.
    const [row] = await h.sql`select account_number_encrypted, owner_match from external_accounts where workspace_id = ${h.workspaces.a} and id = ${checking.id}`
    assert.ok(!row.account_number_encrypted.includes('1111222233330000'))
    assert.equal(h.services.vault.decrypt(row.account_number_encrypted), '1111222233330000')
    assert.deepEqual(row.owner_match.matched, ['name', 'email'])
    assert.deepEqual(await eventsOf(h.workspaces.a, checking.id), ['EXTERNAL_ACCOUNT.CREATED'])

    // The same accounts again: duplicates, reported per account.
    const again = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', {
      body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['0000']] },
    })
    assert.equal(again.status, 200)
    assert.deepEqual(again.body.added_accounts, [])
    assert.deepEqual(again.body.failed_accounts.map((f: any) => f.reason), ['DUPLICATE_ACCOUNT'])
    // A second item of the same login reaches the same numbers: still a duplicate for this customer.
    const token2 = await linkedAccessToken(h, { customer_id: person.id })
    const ids2 = await accountIdsByMask(h, token2)
    const twin = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', {
      body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token2, vendor_account_ids: [ids2['0000']] },
    })
    assert.deepEqual(twin.body.failed_accounts.map((f: any) => f.reason), ['DUPLICATE_ACCOUNT'])
  })

  it('owner verification fails on fewer than two matching fields; without it the account is added unverified', async () => {
    const person = await createPerson(h, { first_name: 'Alberta', last_name: 'Charleson' }) // name only
    const token = await linkedAccessToken(h, { customer_id: person.id })
    const ids = await accountIdsByMask(h, token)
    const verified = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', {
      body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, verify_owner: true, vendor_account_ids: [ids['0000']] },
    })
    assert.equal(verified.status, 200)
    assert.deepEqual(verified.body.added_accounts, [])
    assert.equal(verified.body.failed_accounts[0].reason, 'FAILED_VERIFICATION')
    assert.match(verified.body.failed_accounts[0].reason_description, /matched on name; at least 2/)
    const plain = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', {
      body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['0000']] },
    })
    assert.equal(plain.body.added_accounts.length, 1)
    assert.deepEqual(plain.body.added_accounts[0].verification, { vendor: 'PLAID', status: 'UNVERIFIED' })
    assert.deepEqual(plain.body.added_accounts[0].account_owner_names, [])
  })

  it('adds every account the token reaches when no ids are named', async () => {
    const business = await createBusiness(h)
    const token = await linkedAccessToken(h, { business_id: business.id })
    const res = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { business_id: business.id, customer_type: 'BUSINESS', vendor: 'PLAID', vendor_access_token: token } })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.added_accounts.map((a: any) => [a.business_id, a.type]), [[business.id, 'CHECKING'], [business.id, 'SAVINGS']])
    assert.deepEqual(res.body.failed_accounts.map((f: any) => f.reason), ['UNSUPPORTED_ACCOUNT_TYPE', 'UNSUPPORTED_ACCOUNT_TYPE', 'UNSUPPORTED_ACCOUNT_TYPE'])
  })

  it('an item that needs its login again fails each account with PROVIDER_ERROR and Plaid\'s message; update mode repairs it; sync removes what the person unshared', async () => {
    const person = await createPerson(h, albertaBody)
    const token = await linkedAccessToken(h, { customer_id: person.id })
    const ids = await accountIdsByMask(h, token)
    const body = { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['0000'], ids['1111']] }
    const added = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body })
    assert.equal(added.body.added_accounts.length, 2)
    const [checking, savings] = added.body.added_accounts

    await h.plaid.sandboxItemResetLogin({ access_token: token })
    const failed = await h.request('POST', '/v0/external_accounts/sync_vendor_accounts', { body })
    assert.equal(failed.status, 200)
    assert.deepEqual(failed.body.added_accounts, [])
    assert.deepEqual(failed.body.deleted_accounts, [])
    assert.equal(failed.body.failed_accounts.length, 2)
    for (const f of failed.body.failed_accounts) {
      assert.equal(f.reason, 'PROVIDER_ERROR')
      assert.match(f.reason_description, /^ITEM_LOGIN_REQUIRED: /)
      assert.equal(f.vendor_error_message, 'Your login details have changed. Please sign in to your bank again through the app.')
      assert.equal(typeof f.vendor_request_id, 'string')
    }
    const balance = await h.request('GET', `/v0/external_accounts/${checking.id}/balance`)
    assert.equal(balance.status, 400)
    assert.match(balance.body.detail, /ITEM_LOGIN_REQUIRED/)

    // Link in update mode (the page's calls): sign in again and share the checking account only.
    const link = await h.request('POST', '/v0/external_accounts/link_tokens', { body: { customer_id: person.id, client_name: 'App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY', vendor_access_token: token } })
    const complete = await fetch(`${h.baseUrl}/plaid/link/complete`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ link_token: link.body.link_token, institution_id: 'ins_109508', username: 'user_good', password: 'pass_good', account_masks: ['0000'] }),
    })
    assert.equal(complete.status, 200)
    assert.equal((await complete.json()).update_mode, true)

    advance(minuteMs)
    const synced = await h.request('POST', '/v0/external_accounts/sync_vendor_accounts', { body: { ...body, vendor_account_ids: undefined } })
    assert.equal(synced.status, 200, JSON.stringify(synced.body))
    assert.deepEqual(synced.body.added_accounts.map((a: any) => a.id), [checking.id])
    assert.deepEqual(synced.body.failed_accounts, [])
    assert.deepEqual(synced.body.deleted_accounts.map((a: any) => [a.id, a.status, a.deletion_time]), [[savings.id, 'DELETED', now.toISOString()]])
    assert.deepEqual(await eventsOf(h.workspaces.a, savings.id), ['EXTERNAL_ACCOUNT.CREATED', 'EXTERNAL_ACCOUNT.DELETED'])
  })

  it('refuses FINICITY, a token of another customer, and a live workspace without Plaid credentials', async () => {
    const person = await createPerson(h)
    const other = await createPerson(h)
    const token = await linkedAccessToken(h, { customer_id: person.id })
    const finicity = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'FINICITY', vendor_access_token: token } })
    assert.equal(finicity.status, 400)
    assert.equal(finicity.body.code, 'FEATURE_NOT_AVAILABLE')
    assert.match(finicity.body.detail, /FINICITY is not configured/)
    const stolen = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { customer_id: other.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token } })
    assert.equal(stolen.status, 400)
    assert.equal(stolen.body.code, 'BAD_REQUEST_BODY')
    const livePerson = await createPerson(h, {}, h.keys.live)
    const live = await h.request('POST', '/v0/external_accounts/link_tokens', { key: h.keys.live, body: { customer_id: livePerson.id, client_name: 'App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY' } })
    assert.equal(live.status, 400)
    assert.equal(live.body.code, 'FEATURE_NOT_AVAILABLE')
    assert.match(live.body.detail, /PLAID_CLIENT_ID/)
  })
})

describe('balances, transactions, patch and delete of a linked account', () => {
  let person: any
  let token: string
  let checking: any
  before(async () => {
    person = await createPerson(h, albertaBody)
    token = await linkedAccessToken(h, { customer_id: person.id })
    const ids = await accountIdsByMask(h, token)
    const res = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, verify_owner: true, vendor_account_ids: [ids['0000'], ids['1111']] } })
    checking = res.body.added_accounts[0]
  })

  it('reads the balance in cents, fetched now', async () => {
    const res = await h.request('GET', `/v0/external_accounts/${checking.id}/balance?max_age=600`)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body, { available: 10000, current: 11000, limit: null, currency: 'USD', last_updated_time: now.toISOString(), last_updated_time_vendor: now.toISOString() })
    // Any int64 the spec allows: an age reaching back past the dates a clock can name bounds nothing.
    const ages = await h.request('GET', `/v0/external_accounts/${checking.id}/balance?max_age=${Number.MAX_SAFE_INTEGER}`)
    assert.equal(ages.status, 200, JSON.stringify(ages.body))
    assert.deepEqual(ages.body, res.body)
  })

  it('lists transactions in [start_date, end_date), in cents, dated on the clock, pending for the last days', async () => {
    const today = now.toISOString().slice(0, 10)
    const start = new Date(now.getTime() - 14 * 24 * 60 * minuteMs).toISOString().slice(0, 10)
    const end = new Date(now.getTime() + 24 * 60 * minuteMs).toISOString().slice(0, 10)
    const res = await h.request('GET', `/v0/external_accounts/${checking.id}/transactions?start_date=${start}&end_date=${end}`)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const txs = res.body.transactions
    assert.equal(txs.length, 7) // one every 2 days on the checking account over 15 days
    for (const t of txs) {
      assert.ok(t.date >= start && t.date < end, t.date)
      assert.ok(Number.isInteger(t.amount))
      assert.equal(t.currency, 'USD')
      assert.equal(t.is_pending, t.date >= new Date(now.getTime() - 24 * 60 * minuteMs).toISOString().slice(0, 10))
    }
    assert.ok(txs.some((t: any) => t.amount === -585000 && t.payment_method === 'ACH') || txs.some((t: any) => [540, 433, 1200, 8940, 50000, 7850, -422, 2500].includes(t.amount)))
    // end_date is exclusive: ending today leaves today out.
    const toToday = await h.request('GET', `/v0/external_accounts/${checking.id}/transactions?start_date=${start}&end_date=${today}`)
    assert.ok(toToday.body.transactions.every((t: any) => t.date < today))
    // Time moves on: new days bring new transactions, the old ones keep their ids.
    advance(4 * 24 * 60 * minuteMs)
    const later = await h.request('GET', `/v0/external_accounts/${checking.id}/transactions?start_date=${start}&end_date=${new Date(now.getTime() + 24 * 60 * minuteMs).toISOString().slice(0, 10)}`)
    assert.equal(later.body.transactions.length, 9)
    const earlierIds = new Set(txs.map((t: any) => t.transaction_id))
    assert.equal(later.body.transactions.filter((t: any) => earlierIds.has(t.transaction_id)).length, 7)
  })

  it('refreshes transactions: counts what was synced and stamps the balance', async () => {
    const res = await h.request('POST', `/v0/external_accounts/${checking.id}/refresh_transactions?force_vendor_refresh=true`, { headers: { 'idempotency-key': 'refresh-1' } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.ok(res.body.transactions_synced > 40, String(res.body.transactions_synced))
    const balance = await h.request('GET', `/v0/external_accounts/${checking.id}/balance`)
    assert.equal(balance.body.transactions_last_updated_time, now.toISOString())
    const replay = await h.request('POST', `/v0/external_accounts/${checking.id}/refresh_transactions?force_vendor_refresh=true`, { headers: { 'idempotency-key': 'refresh-1' } })
    assert.deepEqual(replay.body, res.body)
    assert.equal(replay.headers['idempotent-replayed'], 'true')
  })

  it('patches the nickname of a linked account but not its vendor numbers', async () => {
    advance(minuteMs)
    const res = await h.request('PATCH', `/v0/external_accounts/${checking.id}`, { body: { nickname: 'Rainy day' } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.nickname, 'Rainy day')
    assert.equal(res.body.last_updated_time, now.toISOString())
    const numbers = await h.request('PATCH', `/v0/external_accounts/${checking.id}`, { body: { account_identifiers: { number: '99999999' } } })
    assert.equal(numbers.status, 422)
    assert.equal(numbers.body.code, 'INVALID_STATUS')
    assert.deepEqual(await eventsOf(h.workspaces.a, checking.id), ['EXTERNAL_ACCOUNT.CREATED', 'EXTERNAL_ACCOUNT.UPDATED'])
  })

  it('deletes: history stays readable, the vendor forgets the item once its last account is gone', async () => {
    const list = await h.request('GET', `/v0/external_accounts?customer_id=${person.id}`)
    assert.equal(list.body.external_accounts.length, 2)
    const [, savings] = list.body.external_accounts
    const del = await h.request('DELETE', `/v0/external_accounts/${checking.id}`)
    assert.equal(del.status, 200)
    assert.deepEqual(del.body, { id: checking.id, resource: 'external_account' })
    const got = await h.request('GET', `/v0/external_accounts/${checking.id}`)
    assert.equal(got.body.status, 'DELETED')
    assert.equal(got.body.deletion_time, now.toISOString())
    const again = await h.request('DELETE', `/v0/external_accounts/${checking.id}`)
    assert.equal(again.status, 422)
    const balance = await h.request('GET', `/v0/external_accounts/${checking.id}/balance`)
    assert.equal(balance.status, 422)
    assert.deepEqual((await h.request('GET', `/v0/external_accounts?customer_id=${person.id}`)).body.external_accounts.map((a: any) => a.id), [savings.id])
    assert.deepEqual((await h.request('GET', `/v0/external_accounts?customer_id=${person.id}&include_history=true`)).body.external_accounts.map((a: any) => a.id), [checking.id, savings.id])
    // The item is still in use by the savings account.
    assert.equal((await h.plaid.accountsGet({ access_token: token })).status, 200)
    assert.equal((await h.request('DELETE', `/v0/external_accounts/${savings.id}`)).status, 200)
    await assert.rejects(h.plaid.accountsGet({ access_token: token }), (err: any) => err.response?.data?.error_code === 'INVALID_ACCESS_TOKEN')
    assert.deepEqual(await eventsOf(h.workspaces.a, checking.id), ['EXTERNAL_ACCOUNT.CREATED', 'EXTERNAL_ACCOUNT.UPDATED', 'EXTERNAL_ACCOUNT.DELETED'])
  })
})
