// Manual external accounts (routing numbers against the FedACH directory, account number formats,
// duplicates), list filters and pages, and the platform rules every operation keeps: a table of bad
// input per operation that changes nothing, cross-workspace probes, and idempotent replays.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { externalAccountForTransfer } from '../../src/external-accounts/index.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { createBusiness, createPerson } from '../support/parties.js'
import { accountIdsByMask, linkedAccessToken, manualBody, sandboxPublicToken, startListeningHarness, type ListeningHarness } from './support.js'

let now = new Date('2026-04-01T09:00:00.000Z')
const tick = () => { now = new Date(now.getTime() + 60_000) }

let h: ListeningHarness
before(async () => { h = await startListeningHarness({ now: () => now }) })
after(async () => { await h.close() })

async function create(body: Record<string, unknown>, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/external_accounts', { body, key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

/** Everything a refused request must leave as it was. */
async function state(): Promise<string> {
  const accounts = await h.sql`select * from external_accounts order by workspace_id, id`
  const items = await h.sql`select * from external_account_items order by workspace_id, id`
  const [{ n }] = await h.sql`select count(*)::int as n from events`
  return JSON.stringify({ accounts, items, n })
}

describe('manual accounts', () => {
  it('adds an account: number masked, bank name from the FedACH directory, unverified, an EXTERNAL_ACCOUNT.CREATED event', async () => {
    const person = await createPerson(h)
    const res = await h.request('POST', '/v0/external_accounts', { body: manualBody({ customer_id: person.id }, { nickname: 'Main', metadata: { ref: 7 }, routing_identifiers: { ach_routing_number: '021000021', wire_routing_number: '021000021', bank_countries: ['US'], bank_name: 'Chase' } }) })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual(res.body, {
      id: res.body.id, customer_id: person.id,
      account_identifiers: { number: '6789' }, account_owner_names: ['Ada Lovelace'],
      routing_identifiers: { bank_name: 'JPMORGAN CHASE', bank_countries: ['US'], ach_routing_number: '021000021', wire_routing_number: '021000021' },
      type: 'CHECKING', status: 'ACTIVE', currency: 'USD', nickname: 'Main', metadata: { ref: 7 },
      verification: { vendor: 'MANUAL', status: 'UNVERIFIED' },
      creation_time: now.toISOString(), last_updated_time: now.toISOString(),
    })
    assert.deepEqual((await h.request('GET', `/v0/external_accounts/${res.body.id}`)).body, res.body)
    const [event] = await h.sql`select type, resource from events where resource_id = ${res.body.id}`
    assert.equal(event.type, 'EXTERNAL_ACCOUNT.CREATED')
    assert.deepEqual(event.resource, res.body)
    const [row] = await h.sql`select account_number_encrypted from external_accounts where id = ${res.body.id}`
    assert.equal(h.services.vault.decrypt(row.account_number_encrypted), '123456789')
  })

  it('refuses the same numbers twice for one customer (409), allows them for another, and again once deleted', async () => {
    const person = await createPerson(h)
    const other = await createPerson(h)
    const first = await create(manualBody({ customer_id: person.id }, { account_identifiers: { number: '5550001' } }))
    const before = await state()
    const dup = await h.request('POST', '/v0/external_accounts', { body: manualBody({ customer_id: person.id }, { account_identifiers: { number: '5550001' }, type: 'SAVINGS' }) })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.code, 'DUPLICATE_RESOURCE')
    assert.match(dup.body.detail, new RegExp(first.id))
    // The catalogue gives DUPLICATE_RESOURCE no extra fields: the existing account's id is in the detail only.
    assert.deepEqual(Object.keys(dup.body).sort(), ['code', 'detail', 'status', 'title', 'type'])
    assert.equal(await state(), before)
    await create(manualBody({ customer_id: other.id }, { account_identifiers: { number: '5550001' } }))
    assert.equal((await h.request('DELETE', `/v0/external_accounts/${first.id}`)).status, 200)
    await create(manualBody({ customer_id: person.id }, { account_identifiers: { number: '5550001' } }))
  })

  it('several creates of the same numbers at once for one customer: one account, the others 409', async () => {
    const person = await createPerson(h)
    const body = manualBody({ customer_id: person.id }, { account_identifiers: { number: '7070707070' } })
    const results = await Promise.all(Array.from({ length: 4 }, () => h.request('POST', '/v0/external_accounts', { body })))
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409])
    const [{ n }] = await h.sql`select count(*)::int as n from external_accounts where customer_id = ${person.id}`
    assert.equal(n, 1)
  })

  it('adds an international account by IBAN, and a business account given as verified', async () => {
    const business = await createBusiness(h)
    const iban = await create(manualBody({ business_id: business.id }, {
      account_identifiers: { iban: 'DE89370400440532013000' },
      routing_identifiers: { bank_countries: ['DE'], bank_name: 'Commerzbank', international_wire_details: { swift_code: 'COBADEFFXXX', bank_address: { address_line_1: 'Kaiserplatz', country_code: 'DE' } } },
      currency: 'EUR',
    }))
    assert.deepEqual(iban.account_identifiers, { number: '3000', iban: '3000' })
    assert.equal(iban.routing_identifiers.bank_name, 'Commerzbank')
    assert.equal(iban.routing_identifiers.swift_code, 'COBADEFFXXX')
    const verified = await create(manualBody({ business_id: business.id }, { verification: { vendor: 'MANUAL', status: 'VERIFIED' } }))
    assert.deepEqual(verified.verification, { vendor: 'MANUAL', status: 'VERIFIED', creation_time: now.toISOString(), last_updated_time: now.toISOString() })
  })

  it('patches an unverified account (numbers checked again), then only nickname and verification once verified', async () => {
    const person = await createPerson(h)
    const account = await create(manualBody({ customer_id: person.id }))
    tick()
    const res = await h.request('PATCH', `/v0/external_accounts/${account.id}`, { body: { routing_identifiers: { ach_routing_number: '122000247' }, account_identifiers: { number: '00112233' }, type: 'SAVINGS' } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.routing_identifiers.bank_name, 'WELLS FARGO BANK NA')
    assert.equal(res.body.account_identifiers.number, '2233')
    assert.equal(res.body.type, 'SAVINGS')
    assert.equal(res.body.last_updated_time, now.toISOString())
    const [event] = await h.sql`select type, changed_fields from events where resource_id = ${account.id} and type = 'EXTERNAL_ACCOUNT.UPDATED'`
    assert.deepEqual(Object.keys(event.changed_fields).sort(), ['account_identifiers', 'routing_identifiers', 'type'])
    const bad = await h.request('PATCH', `/v0/external_accounts/${account.id}`, { body: { routing_identifiers: { ach_routing_number: '122000248' } } })
    assert.equal(bad.status, 400)
    assert.deepEqual(Object.keys(bad.body.invalid), ['routing_identifiers.ach_routing_number'])
    tick()
    const verified = await h.request('PATCH', `/v0/external_accounts/${account.id}`, { body: { verification: { vendor: 'MANUAL', status: 'VERIFIED' } } })
    assert.equal(verified.body.verification.status, 'VERIFIED')
    assert.equal(verified.body.verification.creation_time, now.toISOString())
    const locked = await h.request('PATCH', `/v0/external_accounts/${account.id}`, { body: { account_identifiers: { number: '77777777' } } })
    assert.equal(locked.status, 422)
    assert.equal(locked.body.code, 'INVALID_STATUS')
    const renamed = await h.request('PATCH', `/v0/external_accounts/${account.id}`, { body: { nickname: 'Savings' } })
    assert.equal(renamed.body.nickname, 'Savings')
    // Patching to numbers another account of the customer has: 409.
    const other = await create(manualBody({ customer_id: person.id }, { account_identifiers: { number: '4444555566' } }))
    const clash = await h.request('PATCH', `/v0/external_accounts/${other.id}`, { body: { account_identifiers: { number: '00112233' }, routing_identifiers: { ach_routing_number: '122000247' } } })
    assert.equal(clash.status, 409)
  })

  it('lists with the spec\'s filters and pages', async () => {
    const ws = await h.newWorkspace('ext-list', 'sandbox')
    const p1 = await createPerson(h, {}, ws.key)
    const p2 = await createPerson(h, {}, ws.key)
    const b1 = await createBusiness(h, {}, ws.key)
    const a = await create(manualBody({ customer_id: p1.id }, { account_identifiers: { number: '1000001' } }), ws.key)
    const b = await create(manualBody({ customer_id: p1.id }, { account_identifiers: { number: '1000002' } }), ws.key)
    const c = await create(manualBody({ customer_id: p2.id }, { account_identifiers: { number: '1000003' } }), ws.key)
    const d = await create(manualBody({ business_id: b1.id }, { account_identifiers: { number: '1000004' } }), ws.key)
    const ids = async (q: string) => (await h.request('GET', `/v0/external_accounts${q}`, { key: ws.key })).body.external_accounts.map((x: any) => x.id)
    assert.deepEqual(await ids(''), [a.id, b.id, c.id, d.id])
    assert.deepEqual(await ids(`?customer_id=${p1.id}`), [a.id, b.id])
    assert.deepEqual(await ids(`?customer_id=${p1.id},${p2.id}`), [a.id, b.id, c.id])
    assert.deepEqual(await ids(`?business_id=${b1.id}`), [d.id])
    assert.deepEqual(await ids(`?id=${c.id},${a.id}`), [a.id, c.id])
    const page1 = await h.request('GET', '/v0/external_accounts?limit=3', { key: ws.key })
    assert.equal(page1.body.external_accounts.length, 3)
    const page2 = await h.request('GET', `/v0/external_accounts?limit=3&page_token=${page1.body.next_page_token}`, { key: ws.key })
    assert.deepEqual(page2.body.external_accounts.map((x: any) => x.id), [d.id])
    assert.equal(page2.body.next_page_token, undefined)
  })

  it('answers balance, transactions and refresh of a manual account with a clear 400', async () => {
    const person = await createPerson(h)
    const account = await create(manualBody({ customer_id: person.id }))
    for (const [method, url] of [['GET', `/v0/external_accounts/${account.id}/balance`], ['GET', `/v0/external_accounts/${account.id}/transactions?start_date=2026-01-01&end_date=2026-02-01`], ['POST', `/v0/external_accounts/${account.id}/refresh_transactions`]]) {
      const res = await h.request(method, url)
      assert.equal(res.status, 400, url)
      assert.equal(res.body.code, 'FEATURE_NOT_AVAILABLE')
      assert.match(res.body.detail, /added by hand/)
    }
  })
})

describe('bad input, per operation, changes nothing', () => {
  let person: any
  let business: any
  let account: any
  let linked: any
  let token: string
  before(async () => {
    person = await createPerson(h)
    business = await createBusiness(h)
    account = await create(manualBody({ customer_id: person.id }, { account_identifiers: { number: '8080808080' } }))
    token = await linkedAccessToken(h, { customer_id: person.id })
    const ids = await accountIdsByMask(h, token)
    const res = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['0000']] } })
    linked = res.body.added_accounts[0]
  })

  const link = (over: Record<string, unknown>) => ({ customer_id: person.id, client_name: 'App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY', ...over })
  const vendor = (over: Record<string, unknown>) => ({ customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, ...over })
  const manual = (over: Record<string, unknown>) => manualBody({ customer_id: person.id }, over)
  const routing = (r: Record<string, unknown>) => ({ routing_identifiers: { bank_countries: ['US'], bank_name: 'X', ...r } })
  const unknownId = uuidv7()

  const table: Array<{ name: string; method: string; url: () => string; body?: () => unknown; status: number; code: string; invalid?: string }> = [
    // createVerificationLinkToken
    { name: 'link token: no client_name', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => ({ ...link({}), client_name: undefined }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'link token: client_name over 30', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ client_name: 'x'.repeat(31) }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'client_name' },
    { name: 'link token: unknown language', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ language: 'XX' }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'link token: empty country_codes', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ country_codes: [] }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'link token: no party', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ customer_id: undefined }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'link token: two parties', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ business_id: business.id }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'link token: unknown customer', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ customer_id: unknownId }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
    { name: 'link token: unknown business', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ customer_id: undefined, business_id: unknownId }), status: 400, code: 'BUSINESS_NOT_FOUND' },
    { name: 'link token: update mode with an unknown token', method: 'POST', url: () => '/v0/external_accounts/link_tokens', body: () => link({ vendor_access_token: 'access-sandbox-00000000-0000-0000-0000-000000000000' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'vendor_access_token' },
    // createAccessToken
    { name: 'access token: no public token', method: 'POST', url: () => '/v0/external_accounts/access_tokens', body: () => ({ customer_id: person.id, vendor_institution_id: 'ins_109508' }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'access token: unknown public token', method: 'POST', url: () => '/v0/external_accounts/access_tokens', body: () => ({ customer_id: person.id, vendor_institution_id: 'ins_109508', vendor_public_token: 'public-sandbox-nope' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'vendor_public_token' },
    { name: 'access token: unknown customer', method: 'POST', url: () => '/v0/external_accounts/access_tokens', body: () => ({ customer_id: unknownId, vendor_institution_id: 'ins_109508', vendor_public_token: 'public-sandbox-nope' }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
    { name: 'access token: vendor_customer_id differs', method: 'POST', url: () => '/v0/external_accounts/access_tokens', body: () => ({ customer_id: person.id, vendor_customer_id: unknownId, vendor_institution_id: 'ins_109508', vendor_public_token: 'x' }), status: 400, code: 'BAD_REQUEST_BODY' },
    // addVendorExternalAccounts / syncVendorExternalAccounts
    { name: 'add vendor: no vendor', method: 'POST', url: () => '/v0/external_accounts/add_vendor_accounts', body: () => vendor({ vendor: undefined }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'add vendor: unknown vendor', method: 'POST', url: () => '/v0/external_accounts/add_vendor_accounts', body: () => vendor({ vendor: 'YODLEE' }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'add vendor: empty vendor_account_ids', method: 'POST', url: () => '/v0/external_accounts/add_vendor_accounts', body: () => vendor({ vendor_account_ids: [] }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'add vendor: no access token', method: 'POST', url: () => '/v0/external_accounts/add_vendor_accounts', body: () => vendor({ vendor_access_token: undefined }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'add vendor: a token of nobody', method: 'POST', url: () => '/v0/external_accounts/add_vendor_accounts', body: () => vendor({ vendor_access_token: 'access-sandbox-nope' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'vendor_access_token' },
    { name: 'add vendor: FINICITY', method: 'POST', url: () => '/v0/external_accounts/add_vendor_accounts', body: () => vendor({ vendor: 'FINICITY' }), status: 400, code: 'FEATURE_NOT_AVAILABLE' },
    { name: 'add vendor: unknown business', method: 'POST', url: () => '/v0/external_accounts/add_vendor_accounts', body: () => vendor({ customer_id: undefined, business_id: unknownId }), status: 400, code: 'BUSINESS_NOT_FOUND' },
    { name: 'sync vendor: no customer_type', method: 'POST', url: () => '/v0/external_accounts/sync_vendor_accounts', body: () => vendor({ customer_type: undefined }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'sync vendor: the token of another customer', method: 'POST', url: () => '/v0/external_accounts/sync_vendor_accounts', body: () => vendor({ customer_id: undefined, business_id: business.id }), status: 400, code: 'BAD_REQUEST_BODY' },
    // addExternalAccounts
    { name: 'manual: no account_identifiers', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ account_identifiers: undefined }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'manual: neither number nor iban', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ account_identifiers: {} }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'account_identifiers.number' },
    { name: 'manual: letters in a US account number', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ account_identifiers: { number: '12AB5678' } }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'account_identifiers.number' },
    { name: 'manual: 18-digit account number', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ account_identifiers: { number: '1'.repeat(18) } }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'account_identifiers.number' },
    { name: 'manual: routing checksum', method: 'POST', url: () => '/v0/external_accounts', body: () => manual(routing({ ach_routing_number: '021000022' })), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'routing_identifiers.ach_routing_number' },
    { name: 'manual: routing not in the directory', method: 'POST', url: () => '/v0/external_accounts', body: () => manual(routing({ ach_routing_number: '011000002' })), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'routing_identifiers.ach_routing_number' },
    { name: 'manual: 8-digit routing', method: 'POST', url: () => '/v0/external_accounts', body: () => manual(routing({ ach_routing_number: '02100002' })), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'routing_identifiers.ach_routing_number' },
    { name: 'manual: a US account without ACH routing', method: 'POST', url: () => '/v0/external_accounts', body: () => manual(routing({})), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'routing_identifiers.ach_routing_number' },
    { name: 'manual: wire routing checksum', method: 'POST', url: () => '/v0/external_accounts', body: () => manual(routing({ ach_routing_number: '021000021', wire_routing_number: '021000022' })), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'routing_identifiers.wire_routing_number' },
    { name: 'manual: IBAN check digits', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ account_identifiers: { iban: 'DE88370400440532013000' }, routing_identifiers: { bank_countries: ['DE'], bank_name: 'X' } }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'account_identifiers.iban' },
    { name: 'manual: bank country not ISO', method: 'POST', url: () => '/v0/external_accounts', body: () => manual(routing({ ach_routing_number: '021000021', bank_countries: ['USA'] })), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'routing_identifiers.bank_countries' },
    { name: 'manual: type outside CHECKING/SAVINGS', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ type: 'CREDIT_CARD' }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'manual: lower-case currency', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ currency: 'usd' }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'manual: no owner names', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ account_owner_names: [] }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'manual: unknown customer', method: 'POST', url: () => '/v0/external_accounts', body: () => manualBody({ customer_id: unknownId }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
    { name: 'manual: two parties', method: 'POST', url: () => '/v0/external_accounts', body: () => manual({ business_id: business.id }), status: 400, code: 'BAD_REQUEST_BODY' },
    // listExternalAccounts
    { name: 'list: limit 0', method: 'GET', url: () => '/v0/external_accounts?limit=0', status: 400, code: 'BAD_QUERY_PARAMETER' },
    { name: 'list: id not a uuid', method: 'GET', url: () => '/v0/external_accounts?id=abc', status: 400, code: 'BAD_QUERY_PARAMETER' },
    { name: 'list: a page token not issued', method: 'GET', url: () => '/v0/external_accounts?page_token=zzz', status: 400, code: 'BAD_QUERY_PARAMETER' },
    { name: 'list: include_history not a boolean', method: 'GET', url: () => '/v0/external_accounts?include_history=maybe', status: 400, code: 'BAD_QUERY_PARAMETER' },
    // getExternalAccount, updateExternalAccount, deleteExternalAccount
    { name: 'get: not a uuid', method: 'GET', url: () => '/v0/external_accounts/nope', status: 404, code: 'RESOURCE_NOT_FOUND' },
    { name: 'get: unknown', method: 'GET', url: () => `/v0/external_accounts/${unknownId}`, status: 404, code: 'RESOURCE_NOT_FOUND' },
    { name: 'patch: unknown', method: 'PATCH', url: () => `/v0/external_accounts/${unknownId}`, body: () => ({ nickname: 'x' }), status: 404, code: 'RESOURCE_NOT_FOUND' },
    { name: 'patch: empty nickname', method: 'PATCH', url: () => `/v0/external_accounts/${account.id}`, body: () => ({ nickname: '' }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'patch: type outside CHECKING/SAVINGS', method: 'PATCH', url: () => `/v0/external_accounts/${account.id}`, body: () => ({ type: 'OTHER' }), status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'patch: bad account number', method: 'PATCH', url: () => `/v0/external_accounts/${account.id}`, body: () => ({ account_identifiers: { number: '12-34' } }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'account_identifiers.number' },
    { name: 'patch: empty owner names', method: 'PATCH', url: () => `/v0/external_accounts/${account.id}`, body: () => ({ account_owner_names: [] }), status: 400, code: 'BAD_REQUEST_BODY', invalid: 'account_owner_names' },
    { name: 'patch: a vendor account\'s routing', method: 'PATCH', url: () => `/v0/external_accounts/${linked.id}`, body: () => ({ routing_identifiers: { ach_routing_number: '021000021' } }), status: 422, code: 'INVALID_STATUS' },
    { name: 'delete: unknown', method: 'DELETE', url: () => `/v0/external_accounts/${unknownId}`, status: 404, code: 'RESOURCE_NOT_FOUND' },
    // balance, transactions, refresh
    { name: 'balance: negative max_age', method: 'GET', url: () => `/v0/external_accounts/${linked.id}/balance?max_age=-1`, status: 400, code: 'BAD_QUERY_PARAMETER' },
    { name: 'balance: unknown', method: 'GET', url: () => `/v0/external_accounts/${unknownId}/balance`, status: 404, code: 'RESOURCE_NOT_FOUND' },
    { name: 'transactions: no start_date', method: 'GET', url: () => `/v0/external_accounts/${linked.id}/transactions?end_date=2026-04-01`, status: 400, code: 'BAD_QUERY_PARAMETER' },
    { name: 'transactions: not a date', method: 'GET', url: () => `/v0/external_accounts/${linked.id}/transactions?start_date=2026-13-01&end_date=2026-04-01`, status: 400, code: 'BAD_QUERY_PARAMETER' },
    { name: 'transactions: end not after start', method: 'GET', url: () => `/v0/external_accounts/${linked.id}/transactions?start_date=2026-04-01&end_date=2026-04-01`, status: 400, code: 'BAD_QUERY_PARAMETER' },
    { name: 'transactions: unknown', method: 'GET', url: () => `/v0/external_accounts/${unknownId}/transactions?start_date=2026-03-01&end_date=2026-04-01`, status: 404, code: 'RESOURCE_NOT_FOUND' },
    { name: 'refresh: unknown', method: 'POST', url: () => `/v0/external_accounts/${unknownId}/refresh_transactions`, status: 404, code: 'RESOURCE_NOT_FOUND' },
    { name: 'refresh: force_vendor_refresh not a boolean', method: 'POST', url: () => `/v0/external_accounts/${linked.id}/refresh_transactions?force_vendor_refresh=often`, status: 400, code: 'BAD_QUERY_PARAMETER' },
  ]
  for (const row of table) {
    it(row.name, async () => {
      const before = await state()
      const res = await h.request(row.method, row.url(), row.body ? { body: row.body() } : {})
      assert.equal(res.status, row.status, JSON.stringify(res.body))
      assert.equal(res.body.code, row.code, JSON.stringify(res.body))
      if (row.invalid) assert.ok(res.body.invalid && row.invalid in res.body.invalid, JSON.stringify(res.body))
      assert.equal(await state(), before)
    })
  }
})

describe('tenancy', () => {
  it('workspace b can neither see nor touch workspace a\'s accounts, customers or access tokens', async () => {
    const person = await createPerson(h)
    const account = await create(manualBody({ customer_id: person.id }, { account_identifiers: { number: '3131313131' } }))
    const token = await linkedAccessToken(h, { customer_id: person.id })
    const ids = await accountIdsByMask(h, token)
    const linked = (await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['1111']] } })).body.added_accounts[0]
    const b = h.keys.b
    const before = await state()
    for (const id of [account.id, linked.id]) {
      for (const [method, url, body] of [
        ['GET', `/v0/external_accounts/${id}`], ['PATCH', `/v0/external_accounts/${id}`, { nickname: 'mine' }], ['DELETE', `/v0/external_accounts/${id}`],
        ['GET', `/v0/external_accounts/${id}/balance`], ['GET', `/v0/external_accounts/${id}/transactions?start_date=2026-03-01&end_date=2026-04-01`],
        ['POST', `/v0/external_accounts/${id}/refresh_transactions`],
      ] as const) {
        const res = await h.request(method, url, { key: b, ...(body ? { body } : {}) })
        assert.equal(res.status, 404, `${method} ${url}`)
      }
    }
    assert.deepEqual((await h.request('GET', `/v0/external_accounts?id=${account.id},${linked.id}`, { key: b })).body.external_accounts, [])
    assert.deepEqual((await h.request('GET', `/v0/external_accounts?customer_id=${person.id}`, { key: b })).body.external_accounts, [])
    const manualInB = await h.request('POST', '/v0/external_accounts', { key: b, body: manualBody({ customer_id: person.id }) })
    assert.equal(manualInB.status, 400)
    assert.equal(manualInB.body.code, 'CUSTOMER_NOT_FOUND')
    const linkInB = await h.request('POST', '/v0/external_accounts/link_tokens', { key: b, body: { customer_id: person.id, client_name: 'App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY' } })
    assert.equal(linkInB.body.code, 'CUSTOMER_NOT_FOUND')
    const exchangeInB = await h.request('POST', '/v0/external_accounts/access_tokens', { key: b, body: { customer_id: person.id, vendor_institution_id: 'ins_109508', vendor_public_token: await sandboxPublicToken(h) } })
    assert.equal(exchangeInB.body.code, 'CUSTOMER_NOT_FOUND')
    // b's own customer with a's access token: the token is unknown in b.
    const bPerson = await createPerson(h, {}, b)
    const before2 = await state()
    const stolen = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { key: b, body: { customer_id: bPerson.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token } })
    assert.equal(stolen.status, 400)
    assert.equal(stolen.body.code, 'BAD_REQUEST_BODY')
    assert.equal(await state(), before2)
    assert.notEqual(before, before2) // b's person wrote its own event
  })
})

describe('idempotency', () => {
  it('replays a manual create, refuses the key for another body, and adds one row', async () => {
    const person = await createPerson(h)
    const body = manualBody({ customer_id: person.id }, { account_identifiers: { number: '2468024680' } })
    const first = await h.request('POST', '/v0/external_accounts', { body, headers: { 'idempotency-key': 'manual-1' } })
    assert.equal(first.status, 201)
    const replay = await h.request('POST', '/v0/external_accounts', { body, headers: { 'idempotency-key': 'manual-1' } })
    assert.equal(replay.status, 201)
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    assert.deepEqual(replay.body, first.body)
    const reuse = await h.request('POST', '/v0/external_accounts', { body: { ...body, nickname: 'other' }, headers: { 'idempotency-key': 'manual-1' } })
    assert.equal(reuse.status, 422)
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
    const [{ n }] = await h.sql`select count(*)::int as n from external_accounts where customer_id = ${person.id}`
    assert.equal(n, 1)
  })

  it('replays add_vendor_accounts and link tokens without asking the vendor again, and PATCH/DELETE', async () => {
    const person = await createPerson(h)
    const token = await linkedAccessToken(h, { customer_id: person.id })
    const ids = await accountIdsByMask(h, token)
    const body = { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['0000']] }
    const first = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body, headers: { 'idempotency-key': 'vendor-1' } })
    assert.equal(first.body.added_accounts.length, 1)
    const replay = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body, headers: { 'idempotency-key': 'vendor-1' } })
    assert.deepEqual(replay.body, first.body) // not a DUPLICATE_ACCOUNT failure: the stored answer
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    const reuse = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { ...body, verify_owner: true }, headers: { 'idempotency-key': 'vendor-1' } })
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
    const linkBody = { customer_id: person.id, client_name: 'App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY' }
    const link1 = await h.request('POST', '/v0/external_accounts/link_tokens', { body: linkBody, headers: { 'idempotency-key': 'link-1' } })
    const link2 = await h.request('POST', '/v0/external_accounts/link_tokens', { body: linkBody, headers: { 'idempotency-key': 'link-1' } })
    assert.equal(link2.body.link_token, link1.body.link_token)
    const id = first.body.added_accounts[0].id
    const patch1 = await h.request('PATCH', `/v0/external_accounts/${id}`, { body: { nickname: 'A' }, headers: { 'idempotency-key': 'patch-1' } })
    tick()
    const patch2 = await h.request('PATCH', `/v0/external_accounts/${id}`, { body: { nickname: 'A' }, headers: { 'idempotency-key': 'patch-1' } })
    assert.deepEqual(patch2.body, patch1.body)
    const del1 = await h.request('DELETE', `/v0/external_accounts/${id}`, { headers: { 'idempotency-key': 'delete-1' } })
    const del2 = await h.request('DELETE', `/v0/external_accounts/${id}`, { headers: { 'idempotency-key': 'delete-1' } })
    assert.equal(del1.status, 200)
    assert.equal(del2.status, 200)
    assert.equal(del2.headers['idempotent-replayed'], 'true')
    const [{ n }] = await h.sql`select count(*)::int as n from events where resource_id = ${id} and type = 'EXTERNAL_ACCOUNT.DELETED'`
    assert.equal(n, 1)
  })
})

describe('what payment rails read, and wipe', () => {
  it('gives ACH the full numbers and whether the owner is verified', async () => {
    const person = await createPerson(h)
    const account = await create(manualBody({ customer_id: person.id }, { account_identifiers: { number: '90210902' } }))
    const read = () => externalAccountForTransfer(h.sql, h.services.vault, h.workspaces.a, account.id)
    assert.deepEqual(await read(), {
      id: account.id, customer_id: person.id, business_id: null, status: 'ACTIVE', type: 'CHECKING', currency: 'USD',
      ach_routing_number: '011401533', account_number: '90210902', bank_name: 'CITIZENS BANK NA', account_owner_names: ['Ada Lovelace'], owner_verified: false,
    })
    await h.request('PATCH', `/v0/external_accounts/${account.id}`, { body: { verification: { vendor: 'MANUAL', status: 'VERIFIED' } } })
    assert.equal((await read())?.owner_verified, true)
    assert.equal(await externalAccountForTransfer(h.sql, h.services.vault, h.workspaces.b, account.id), undefined)
  })

  it('a business may link its owner\'s personal account: customer_type is kept as sent', async () => {
    const business = await createBusiness(h)
    const token = await linkedAccessToken(h, { business_id: business.id })
    const ids = await accountIdsByMask(h, token)
    const res = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', { body: { business_id: business.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['0000']] } })
    const [row] = await h.sql`select customer_type from external_accounts where id = ${res.body.added_accounts[0].id}`
    assert.equal(row.customer_type, 'PERSONAL')
  })

  it('wipe empties a sandbox workspace\'s external accounts and links, and no other workspace\'s', async () => {
    const ws = await h.newWorkspace('ext-wipe', 'sandbox')
    const person = await createPerson(h, {}, ws.key)
    await create(manualBody({ customer_id: person.id }), ws.key)
    await linkedAccessToken(h, { customer_id: person.id }, ws.key)
    const count = async (id: string) => (await h.sql`select (select count(*)::int from external_accounts where workspace_id = ${id}) + (select count(*)::int from external_account_items where workspace_id = ${id}) as n`)[0].n
    const others = await count(h.workspaces.a)
    assert.equal(await count(ws.id), 2)
    assert.equal((await h.request('POST', '/v0/wipe', { key: ws.key })).status, 204)
    assert.equal(await count(ws.id), 0)
    assert.equal(await count(h.workspaces.a), others)
  })
})
