import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { businessBody, createBusiness, personBody } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const count = async (table: 'businesses' | 'events', workspaceId: string) =>
  (await h.sql<{ n: number }[]>`select count(*)::int as n from ${h.sql(table)} where workspace_id = ${workspaceId}`)[0].n
const ids = (res: { body: { businesses: { id: string }[] } }) => res.body.businesses.map((b) => b.id)

describe('create and read', () => {
  it('creates a business with the server-set fields and returns it on GET', async () => {
    const body = businessBody({ trade_names: ['Acme'], website: 'https://acme.example', metadata: { crm: 42 }, compliance_restrictions: ['LICENSED_CANNABIS'] })
    const res = await h.request('POST', '/v0/businesses', { body })
    assert.equal(res.status, 201)
    const b = res.body
    assert.equal(b.verification_status, 'UNVERIFIED')
    assert.equal(b.has_accounts, false)
    assert.equal(b.tenant, h.workspaces.a)
    assert.equal(b.addresses, undefined)
    for (const field of ['entity_name', 'email', 'phone_number', 'structure', 'formation_date', 'formation_state', 'legal_address', 'trade_names', 'website', 'metadata', 'compliance_restrictions', 'is_customer', 'status']) {
      assert.deepEqual(b[field], body[field], field)
    }
    assert.equal(b.creation_time, b.last_updated_time)
    const got = await h.request('GET', `/v0/businesses/${b.id}`)
    assert.equal(got.status, 200)
    assert.deepEqual(got.body, b)
  })

  it('keeps of an address only what the spec declares for one, on businesses and persons alike', async () => {
    // The spec's request schemas leave room for undeclared properties; an answer shows none.
    const address = { ...(businessBody().legal_address as object), floor: 3, address_type: 'SHIPPING', id: uuidv7() }
    const business = await h.request('POST', '/v0/businesses', { body: businessBody({ legal_address: address }) })
    assert.equal(business.status, 201)
    assert.deepEqual(Object.keys(business.body.legal_address).sort(), ['address_line_1', 'city', 'country_code', 'postal_code', 'state'])
    const person = await h.request('POST', '/v0/persons', { body: personBody({ legal_address: address, shipping_address: address }) })
    assert.equal(person.status, 201)
    assert.equal(person.body.legal_address.floor, undefined)
    assert.equal(person.body.legal_address.address_type, 'LEGAL')
    assert.equal(person.body.shipping_address.address_type, 'SHIPPING')
    const patched = await h.request('PATCH', `/v0/persons/${person.body.id}`, { body: { legal_address: { ...address, floor: 4 } } })
    assert.equal(patched.status, 200)
    assert.equal(patched.body.legal_address.floor, undefined)
  })

  it('stores the EIN only encrypted and shows its last four digits', async () => {
    for (const [sent, last4] of [['98-7654321', '4321'], ['123456780', '6780']]) {
      const b = await createBusiness(h, { ein: sent })
      assert.equal(b.ein, `**-***${last4}`)
      const [row] = await h.sql`select * from businesses where id = ${b.id}`
      assert.equal(row.ein_last4, last4)
      assert.match(row.ein_encrypted, /^v1:/)
      const digits = sent.replace('-', '')
      const everywhere = JSON.stringify([row, await h.sql`select * from events where resource_id = ${b.id}`, await h.sql`select * from idempotency_keys`])
      assert.ok(!everywhere.includes(digits) && !everywhere.includes(`${digits.slice(0, 2)}-${digits.slice(2)}`), 'the full EIN appears nowhere in the database')
    }
  })

  it('answers an unknown or malformed id with 404', async () => {
    for (const id of [uuidv7(), 'nope']) {
      const res = await h.request('GET', `/v0/businesses/${id}`)
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
  })
})

interface BadInput { name: string; body: unknown; status: number; code: string; missing?: string[]; invalid?: string[]; immutable?: string[] }

function checkRefusal(res: { status: number; body: any }, c: BadInput) {
  assert.equal(res.status, c.status, `${c.name}: ${JSON.stringify(res.body)}`)
  assert.equal(res.body.code, c.code, c.name)
  if (c.missing) assert.deepEqual(res.body.missing, c.missing, c.name)
  if (c.invalid) assert.deepEqual(Object.keys(res.body.invalid ?? {}).sort(), c.invalid, c.name)
  if (c.immutable) assert.deepEqual(res.body.immutable, c.immutable, c.name)
}

describe('bad input', () => {
  const createCases = (otherWorkspace: string): BadInput[] => [
    { name: 'empty body', body: {}, status: 400, code: 'BAD_REQUEST_BODY', missing: ['is_customer', 'status'] },
    { name: 'not an object', body: [1], status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'EIN too short', body: businessBody({ ein: '12-345678' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['ein'] },
    { name: 'EIN too long', body: businessBody({ ein: '12-34567890' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['ein'] },
    { name: 'EIN dash misplaced', body: businessBody({ ein: '123-456789' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['ein'] },
    { name: 'EIN with letters', body: businessBody({ ein: '12-34567AB' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['ein'] },
    { name: 'EIN as a number', body: businessBody({ ein: 123456789 }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['ein'] },
    { name: 'unknown status', body: businessBody({ status: 'OPEN' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['status'] },
    { name: 'is_customer as a string', body: businessBody({ is_customer: 'true' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['is_customer'] },
    { name: 'phone not E.164', body: businessBody({ phone_number: '415-555-0100' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['phone_number'] },
    { name: 'formation_date not a date', body: businessBody({ formation_date: 'last year' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['formation_date'] },
    { name: 'unknown structure', body: businessBody({ structure: 'TRUST' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['structure'] },
    { name: 'legal address without a street', body: businessBody({ legal_address: { city: 'X', country_code: 'US' } }), status: 400, code: 'BAD_REQUEST_BODY', missing: ['legal_address.address_line_1'] },
    { name: 'another workspace as tenant', body: businessBody({ tenant: otherWorkspace }), status: 422, code: 'INVALID_TENANCY' },
  ]

  it('POST refuses each bad body cleanly and creates nothing', async () => {
    const ws = await h.newWorkspace('bad-create', 'sandbox')
    for (const c of createCases(h.workspaces.b)) {
      checkRefusal(await h.request('POST', '/v0/businesses', { key: ws.key, body: c.body }), c)
    }
    assert.equal(await count('businesses', ws.id), 0)
    assert.equal(await count('events', ws.id), 0)
    // Its own workspace id as tenant is fine.
    assert.equal((await h.request('POST', '/v0/businesses', { key: ws.key, body: businessBody({ tenant: ws.id }) })).status, 201)
  })

  it('PATCH refuses each bad body cleanly and changes nothing', async () => {
    const ws = await h.newWorkspace('bad-patch', 'sandbox')
    const b = await createBusiness(h, {}, ws.key)
    const cases: BadInput[] = [
      { name: 'not an object', body: 'x', status: 400, code: 'BAD_REQUEST_BODY' },
      { name: 'bad EIN', body: { ein: '1234' }, status: 400, code: 'BAD_REQUEST_BODY', invalid: ['ein'] },
      { name: 'unknown status', body: { status: 'GONE' }, status: 400, code: 'BAD_REQUEST_BODY', invalid: ['status'] },
      { name: 'null entity_name', body: { entity_name: null }, status: 400, code: 'BAD_REQUEST_BODY', invalid: ['entity_name'] },
      { name: 'phone not E.164', body: { phone_number: '0800' }, status: 400, code: 'BAD_REQUEST_BODY', invalid: ['phone_number'] },
      { name: 'changed id', body: { id: uuidv7() }, status: 400, code: 'BAD_REQUEST_BODY', immutable: ['id'] },
      { name: 'changed creation time', body: { creation_time: '2020-01-01T00:00:00.000Z' }, status: 400, code: 'BAD_REQUEST_BODY', immutable: ['creation_time'] },
      { name: 'self-verification', body: { verification_status: 'ACCEPTED' }, status: 400, code: 'BAD_REQUEST_BODY', immutable: ['verification_status'] },
      { name: 'another workspace as tenant', body: { tenant: h.workspaces.b }, status: 422, code: 'INVALID_TENANCY' },
    ]
    for (const c of cases) checkRefusal(await h.request('PATCH', `/v0/businesses/${b.id}`, { key: ws.key, body: c.body }), c)
    for (const id of [uuidv7(), 'nope']) {
      checkRefusal(await h.request('PATCH', `/v0/businesses/${id}`, { key: ws.key, body: { status: 'FROZEN' } }), { name: `unknown ${id}`, body: null, status: 404, code: 'RESOURCE_NOT_FOUND' })
    }
    assert.deepEqual((await h.request('GET', `/v0/businesses/${b.id}`, { key: ws.key })).body, b)
    assert.equal(await count('events', ws.id), 1)
  })

  it('lists refuse bad query parameters', async () => {
    for (const q of ['limit=0', 'id=nope', 'status=OPEN', 'is_customer=maybe', 'sort_by=entity_name', 'sort_by=entity_name:asc,entity_name:desc', 'page_token=zzz']) {
      const res = await h.request('GET', `/v0/businesses?${q}`)
      assert.equal(res.status, 400, q)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', q)
    }
  })
})

describe('update', () => {
  it('changes the fields sent, records BUSINESS.UPDATED with their prior values, and keeps the rest', async () => {
    const ws = await h.newWorkspace('update', 'sandbox')
    const b = await createBusiness(h, { ein: '11-1111111' }, ws.key)
    const res = await h.request('PATCH', `/v0/businesses/${b.id}`, { key: ws.key, body: { status: 'FROZEN', website: 'https://new.example', ein: '22-2222222' } })
    assert.equal(res.status, 200)
    assert.equal(res.body.status, 'FROZEN')
    assert.equal(res.body.website, 'https://new.example')
    assert.equal(res.body.ein, '**-***2222')
    assert.equal(res.body.entity_name, b.entity_name)
    assert.deepEqual(res.body.legal_address, b.legal_address)
    assert.ok(res.body.last_updated_time >= b.last_updated_time)
    const events = await h.sql`select type, resource, changed_fields from events where workspace_id = ${ws.id} order by id`
    assert.deepEqual(events.map((e) => e.type), ['BUSINESS.CREATED', 'BUSINESS.UPDATED'])
    assert.deepEqual(events[1].changed_fields, { status: 'ACTIVE', website: null, ein: '**-***1111' })
    assert.deepEqual(events[1].resource, res.body)
  })

  it('records an EIN change even when the last four digits stay the same', async () => {
    const ws = await h.newWorkspace('ein-same-last4', 'sandbox')
    const b = await createBusiness(h, { ein: '11-1115678' }, ws.key)
    const res = await h.request('PATCH', `/v0/businesses/${b.id}`, { key: ws.key, body: { ein: '99-9995678' } })
    assert.equal(res.status, 200)
    const [event] = await h.sql`select changed_fields from events where workspace_id = ${ws.id} and type = 'BUSINESS.UPDATED'`
    assert.deepEqual(event.changed_fields, { ein: '**-***5678' })
  })

  it('accepts what a GET returned as a PATCH body, and a PATCH that changes nothing writes nothing', async () => {
    const ws = await h.newWorkspace('noop', 'sandbox')
    const b = await createBusiness(h, {}, ws.key)
    for (const body of [b, {}, { status: b.status, ein: b.ein }]) {
      const res = await h.request('PATCH', `/v0/businesses/${b.id}`, { key: ws.key, body })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.deepEqual(res.body, b)
    }
    assert.equal(await count('events', ws.id), 1)
  })

  it('replays a PATCH sent again with the same Idempotency-Key', async () => {
    const ws = await h.newWorkspace('patch-replay', 'sandbox')
    const b = await createBusiness(h, {}, ws.key)
    const headers = { 'idempotency-key': uuidv7() }
    const first = await h.request('PATCH', `/v0/businesses/${b.id}`, { key: ws.key, body: { email: 'new@acme.example' }, headers })
    const again = await h.request('PATCH', `/v0/businesses/${b.id}`, { key: ws.key, body: { email: 'new@acme.example' }, headers })
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    assert.equal(await count('events', ws.id), 2)
  })
})

describe('idempotency', () => {
  it('replays a create retried with the same key: one business, one event', async () => {
    const ws = await h.newWorkspace('create-replay', 'sandbox')
    const headers = { 'idempotency-key': uuidv7() }
    const body = businessBody()
    const first = await h.request('POST', '/v0/businesses', { key: ws.key, body, headers })
    const again = await h.request('POST', '/v0/businesses', { key: ws.key, body, headers })
    assert.equal(first.status, 201)
    assert.equal(again.status, 201)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    assert.equal(await count('businesses', ws.id), 1)
    assert.equal(await count('events', ws.id), 1)
    const reuse = await h.request('POST', '/v0/businesses', { key: ws.key, body: { ...body, status: 'PROSPECT' }, headers })
    assert.equal(reuse.status, 422)
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
  })
})

describe('lists', () => {
  it('filters by id, name and phone wildcards, status, is_customer and has_accounts', async () => {
    const ws = await h.newWorkspace('filters', 'sandbox')
    const apex = await createBusiness(h, { entity_name: 'Apex Corporation', phone_number: '+14155550001' }, ws.key)
    const apexLabs = await createBusiness(h, { entity_name: 'Apex Labs', phone_number: '+12125550002', status: 'PROSPECT' }, ws.key)
    const percent = await createBusiness(h, { entity_name: '100% Juice_Co', phone_number: '+14155550003', is_customer: false }, ws.key)
    const list = (q: string) => h.request('GET', `/v0/businesses?${q}`, { key: ws.key })
    assert.deepEqual(ids(await list('')), [apex.id, apexLabs.id, percent.id])
    assert.deepEqual(ids(await list(`id=${percent.id},${apex.id}`)), [apex.id, percent.id])
    assert.deepEqual(ids(await list('entity_name=Apex%20Labs')), [apexLabs.id])
    assert.deepEqual(ids(await list('entity_name=Apex')), [], 'without a wildcard the whole name must match')
    assert.deepEqual(ids(await list('entity_name=apex*')), [apex.id, apexLabs.id])
    assert.deepEqual(ids(await list('entity_name=*LABS')), [apexLabs.id])
    assert.deepEqual(ids(await list('entity_name=100%25*')), [percent.id], '% is a literal character, not a wildcard')
    assert.deepEqual(ids(await list('entity_name=1_0*')), [], '_ is a literal character, not a wildcard')
    assert.deepEqual(ids(await list('phone_number=%2B1415*')), [apex.id, percent.id])
    assert.deepEqual(ids(await list('status=PROSPECT')), [apexLabs.id])
    assert.deepEqual(ids(await list('is_customer=false')), [percent.id])
    assert.deepEqual(ids(await list('is_customer=true&status=ACTIVE')), [apex.id])
    assert.deepEqual(ids(await list('has_accounts=true')), [])
    assert.deepEqual(ids(await list('has_accounts=false')), [apex.id, apexLabs.id, percent.id])
  })

  it('pages in id order by default and in the sort_by order across pages', async () => {
    const ws = await h.newWorkspace('sorting', 'sandbox')
    const made = []
    for (const name of ['Delta', 'Alpha', 'Charlie', 'Bravo', 'Echo']) made.push(await createBusiness(h, { entity_name: name }, ws.key))
    // Touch one so last_updated_time differs from creation order.
    await h.request('PATCH', `/v0/businesses/${made[1].id}`, { key: ws.key, body: { website: 'https://alpha.example' } })
    const collect = async (q: string) => {
      const seen: string[] = []
      let token: string | undefined
      let pages = 0
      do {
        const res = await h.request('GET', `/v0/businesses?limit=2&${q}${token ? `&page_token=${token}` : ''}`, { key: ws.key })
        assert.equal(res.status, 200)
        seen.push(...res.body.businesses.map((b: { entity_name: string }) => b.entity_name))
        token = res.body.next_page_token
        pages++
      } while (token)
      assert.equal(pages, 3, q)
      return seen
    }
    assert.deepEqual(await collect(''), ['Delta', 'Alpha', 'Charlie', 'Bravo', 'Echo'])
    assert.deepEqual(await collect('sort_by=creation_time:desc'), ['Echo', 'Bravo', 'Charlie', 'Alpha', 'Delta'])
    assert.deepEqual(await collect('sort_by=entity_name:asc'), ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'])
    assert.deepEqual(await collect('sort_by=entity_name:desc'), ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha'])
    assert.deepEqual((await collect('sort_by=last_updated_time:desc')).slice(0, 1), ['Alpha'])
    assert.deepEqual(await collect('sort_by=last_updated_time:asc,creation_time:asc'), ['Delta', 'Charlie', 'Bravo', 'Echo', 'Alpha'])
  })
})

describe('tenancy', () => {
  it('hides a business from another workspace: no read, list or patch', async () => {
    const a = await createBusiness(h)
    assert.equal((await h.request('GET', `/v0/businesses/${a.id}`, { key: h.keys.b })).status, 404)
    const listB = await h.request('GET', `/v0/businesses?id=${a.id}`, { key: h.keys.b })
    assert.deepEqual(listB.body.businesses, [])
    const patch = await h.request('PATCH', `/v0/businesses/${a.id}`, { key: h.keys.b, body: { status: 'FROZEN' } })
    assert.equal(patch.status, 404)
    assert.equal(patch.body.code, 'RESOURCE_NOT_FOUND')
    assert.equal((await h.request('GET', `/v0/businesses/${a.id}`)).body.status, 'ACTIVE')
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from events where resource_id = ${a.id} and workspace_id = ${h.workspaces.b}`
    assert.equal(n, 0)
  })
})
