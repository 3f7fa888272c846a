import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../src/platform/ids.js'
import { revokeApiKey, createApiKey } from '../src/platform/workspaces.js'
import { startHarness, type Harness } from './support/harness.js'
import { createPerson } from './support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

/** A person made through the API, in the workspace the id names. */
async function seedPerson(workspaceId: string): Promise<string> {
  const key = workspaceId === h.workspaces.a ? h.keys.a : workspaceId === h.workspaces.b ? h.keys.b : keysByWorkspace.get(workspaceId)
  assert.ok(key, `no key known for workspace ${workspaceId}`)
  return (await createPerson(h, {}, key)).id
}

const keysByWorkspace = new Map<string, string>()
/** A further workspace whose key seedPerson can use. */
async function newWorkspace(name: string, mode: 'sandbox' | 'live'): Promise<{ id: string; key: string }> {
  const ws = await h.newWorkspace(name, mode)
  keysByWorkspace.set(ws.id, ws.key)
  return ws
}

const disclosureFor = (personId: string) => ({
  type: 'REG_E', version: '1.0', event_type: 'ACKNOWLEDGED', disclosure_date: '2026-01-02T03:04:05Z', person_id: personId,
})

describe('authentication', () => {
  it('refuses a missing, malformed, unknown or revoked key with 401 UNAUTHENTICATED', async () => {
    const ws = await h.newWorkspace('auth-revoked', 'sandbox')
    const [{ id }] = await h.sql<{ id: string }[]>`select id from api_keys where workspace_id = ${ws.id}`
    assert.equal((await h.request('GET', '/v0/disclosures', { key: ws.key })).status, 200)
    assert.ok(await revokeApiKey(h.sql, id))
    for (const [key, headers] of [[null, {}], [null, { authorization: 'Basic abc' }], ['keel_sk_unknown', {}], [ws.key, {}]] as const) {
      const res = await h.request('GET', '/v0/disclosures', { key, headers })
      assert.equal(res.status, 401)
      assert.equal(res.body.code, 'UNAUTHENTICATED')
    }
  })

  it('stores keys only as hashes', async () => {
    const ws = await h.newWorkspace('auth-hash', 'sandbox')
    const { apiKey } = await createApiKey(h.sql, ws.id)
    const rows = await h.sql`select * from api_keys where workspace_id = ${ws.id}`
    assert.ok(!JSON.stringify(rows).includes(apiKey.slice(12)))
  })
})

describe('errors', () => {
  it('answers an unknown route with 404 RESOURCE_NOT_FOUND as problem+json', async () => {
    const res = await h.request('GET', '/v0/no_such_thing', { unchecked: true })
    assert.equal(res.status, 404)
    assert.match(String(res.headers['content-type']), /application\/problem\+json/)
    assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
  })

  it('answers an unknown id, and a malformed one, with 404', async () => {
    for (const id of [uuidv7(), 'not-a-uuid']) {
      const res = await h.request('GET', `/v0/disclosures/${id}`)
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
  })

  it('answers malformed JSON with 400 BAD_REQUEST_BODY', async () => {
    const res = await h.request('POST', '/v0/disclosures', { payload: '{"type": "REG_E",' })
    assert.equal(res.status, 400)
    assert.equal(res.body.code, 'BAD_REQUEST_BODY')
  })

  it('refuses the NUL character PostgreSQL cannot store, in a body or a query, with 400 and nothing written', async () => {
    const [{ n: before }] = await h.sql<{ n: number }[]>`select count(*)::int as n from persons`
    for (const payload of ['{"is_customer": true, "status": "ACTIVE", "first_name": "A\\u0000"}', '{"is_customer": true, "status": "ACTIVE", "metadata": {"a\\u0000": 1}}']) {
      const res = await h.request('POST', '/v0/persons', { payload })
      assert.deepEqual([res.status, res.body.code], [400, 'BAD_REQUEST_BODY'], payload)
    }
    const [{ n: after }] = await h.sql<{ n: number }[]>`select count(*)::int as n from persons`
    assert.equal(after, before)
    // An escaped backslash before "u0000" is text, not NUL: accepted.
    const text = await h.request('POST', '/v0/persons', { payload: '{"is_customer": true, "status": "ACTIVE", "first_name": "A\\\\u0000"}' })
    assert.equal(text.status, 201, JSON.stringify(text.body))
    assert.equal(text.body.first_name, 'A\\u0000')
    const query = await h.request('GET', '/v0/transactions/posted?reference_id=a%00b')
    assert.deepEqual([query.status, query.body.code], [400, 'BAD_QUERY_PARAMETER'])
  })

  it('answers a body over 1 MiB with 413', async () => {
    const res = await h.request('POST', '/v0/disclosures', { payload: JSON.stringify({ metadata: { x: 'x'.repeat(1024 * 1024) } }) })
    assert.equal(res.status, 413)
    assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE')
  })

  // Fastify parses text/plain by default (Keel's NACHA endpoints take it): a JSON operation must not read it.
  it('answers a JSON operation sent any other media type with 415, naming the one it takes', async () => {
    const person = await createPerson(h)
    const json = JSON.stringify({ is_customer: true, status: 'ACTIVE', first_name: 'Plain' })
    const types = ['text/plain', 'text/plain; charset=utf-8', 'application/xml', 'image/png', 'application/x-www-form-urlencoded', 'text/csv', 'application/json-patch+json']
    const before = (await h.sql`select count(*)::int as n from persons`)[0].n
    for (const type of types) {
      for (const [method, url] of [['POST', '/v0/persons'], ['PATCH', `/v0/persons/${person.id}`], ['POST', '/v0/sandbox/clock/advance']]) {
        const res = await h.request(method, url, { payload: json, headers: { 'content-type': type } })
        assert.deepEqual([res.status, res.body.code], [415, 'UNSUPPORTED_MEDIA_TYPE'], `${method} ${url} [${type}]: ${JSON.stringify(res.body)}`)
        assert.equal(res.body.detail, 'send the request body as application/json', type)
      }
    }
    assert.equal((await h.sql`select count(*)::int as n from persons`)[0].n, before)
    assert.deepEqual((await h.request('GET', `/v0/persons/${person.id}`)).body, person)
    // application/json with parameters is still JSON.
    const charset = await h.request('POST', '/v0/persons', { payload: json, headers: { 'content-type': 'application/json; charset=utf-8' } })
    assert.equal(charset.status, 201, JSON.stringify(charset.body))
    // The NACHA endpoints take text/plain, and only it.
    const nacha = await h.request('POST', '/v0/ach/files/validate', { payload: 'not a NACHA file', headers: { 'content-type': 'text/plain' } })
    assert.deepEqual([nacha.status, nacha.body.code], [422, 'NACHA_FILE_INVALID'])
    const nachaAsJson = await h.request('POST', '/v0/ach/files/validate', { payload: '"not a NACHA file"', headers: { 'content-type': 'application/json' } })
    assert.deepEqual([nachaAsJson.status, nachaAsJson.body.code], [415, 'UNSUPPORTED_MEDIA_TYPE'])
    assert.match(nachaAsJson.body.detail, /text\/plain/)
  })

  it('names missing and invalid fields', async () => {
    const res = await h.request('POST', '/v0/disclosures', { body: { type: 'NOPE', version: 1 } })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.missing, ['disclosure_date', 'event_type'])
    assert.deepEqual(Object.keys(res.body.invalid).sort(), ['type', 'version'])
  })

  it('answers a bad query parameter with 400 BAD_QUERY_PARAMETER', async () => {
    for (const q of ['limit=0', 'limit=abc', 'id=not-a-uuid', 'page_token=garbage']) {
      const res = await h.request('GET', `/v0/disclosures?${q}`)
      assert.equal(res.status, 400, q)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', q)
    }
  })

  // The catalogue gives BAD_QUERY_PARAMETER no extra fields: what is wrong is said in `detail`.
  it('names each bad query parameter and what is wrong with it in the detail, and nowhere else', async () => {
    const cases: [string, RegExp][] = [
      ['/v0/persons?limit=0', /^invalid query parameters: limit must be >= 1$/],
      ['/v0/persons?limit=0&status=ALIVE', /^invalid query parameters: limit must be >= 1; status must be one of: ACTIVE, .*SANCTION$/],
      ['/v0/statements', /^missing required query parameters: account_id$/],
      ['/v0/statements?account_id=x&limit=0', /^invalid query parameters: account_id must match format "uuid"; limit must be >= 1$/],
      ['/v0/transactions/posted?reference_id=a%00b', /^invalid query parameters: reference_id may not contain the NUL character$/],
      ['/v0/persons?sort_by=email:asc', /^invalid query parameters: sort_by\[0\] must be one of: creation_time:asc, .*last_updated_time:desc$/],
      ['/v0/persons?sort_by=first_name:asc,first_name:desc', /^sort_by names first_name more than once$/],
    ]
    for (const [url, detail] of cases) {
      const res = await h.request('GET', url)
      assert.equal(res.status, 400, url)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', url)
      assert.match(res.body.detail, detail, url)
      assert.deepEqual(Object.keys(res.body).sort(), ['code', 'detail', 'status', 'title', 'type'], url)
    }
  })
})

describe('lists', () => {
  it('pages in stable order with an opaque token, omitted on the last page, and clamps limit', async () => {
    const ws = await newWorkspace('paging', 'sandbox')
    const person = await seedPerson(ws.id)
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.push((await h.request('POST', '/v0/disclosures', { key: ws.key, body: disclosureFor(person) })).body.id)
    const seen: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const res = await h.request('GET', `/v0/disclosures?limit=2${token ? `&page_token=${token}` : ''}`, { key: ws.key })
      assert.equal(res.status, 200)
      seen.push(...res.body.disclosures.map((d: { id: string }) => d.id))
      token = res.body.next_page_token
      pages++
    } while (token)
    assert.deepEqual(seen, made)
    assert.equal(pages, 3)
    const all = await h.request('GET', '/v0/disclosures?limit=1000', { key: ws.key })
    assert.equal(all.body.disclosures.length, 5)
    assert.equal(all.body.next_page_token, undefined)
    const filtered = await h.request('GET', `/v0/disclosures?id=${made[1]},${made[3]}`, { key: ws.key })
    assert.deepEqual(filtered.body.disclosures.map((d: { id: string }) => d.id), [made[1], made[3]])
  })
})

describe('idempotency', () => {
  it('replays the stored response for a retry with the same key and body', async () => {
    const person = await seedPerson(h.workspaces.a)
    const headers = { 'idempotency-key': uuidv7() }
    const first = await h.request('POST', '/v0/disclosures', { body: disclosureFor(person), headers })
    const again = await h.request('POST', '/v0/disclosures', { body: disclosureFor(person), headers })
    assert.equal(first.status, 201)
    assert.equal(again.status, 201)
    assert.deepEqual(again.body, first.body)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from disclosures where person_id = ${person}`
    assert.equal(n, 1)
  })

  it('refuses the same key with a different request: 422 IDEMPOTENCY_INVALID_REUSE', async () => {
    const person = await seedPerson(h.workspaces.a)
    const headers = { 'idempotency-key': uuidv7() }
    await h.request('POST', '/v0/disclosures', { body: disclosureFor(person), headers })
    const res = await h.request('POST', '/v0/disclosures', { body: { ...disclosureFor(person), version: '2.0' }, headers })
    assert.equal(res.status, 422)
    assert.equal(res.body.code, 'IDEMPOTENCY_INVALID_REUSE')
  })

  it('identifies a request by its body as sent: the same bytes replay, the same JSON spaced otherwise is another request', async () => {
    const person = await seedPerson(h.workspaces.a)
    const headers = { 'idempotency-key': uuidv7() }
    const compact = JSON.stringify(disclosureFor(person))
    const first = await h.request('POST', '/v0/disclosures', { payload: compact, headers })
    const again = await h.request('POST', '/v0/disclosures', { payload: Buffer.from(compact), headers })
    assert.deepEqual([first.status, again.status, again.headers['idempotent-replayed']], [201, 201, 'true'])
    assert.deepEqual(again.body, first.body)
    const spaced = await h.request('POST', '/v0/disclosures', { payload: JSON.stringify(disclosureFor(person), null, 2), headers })
    assert.deepEqual([spaced.status, spaced.body.code], [422, 'IDEMPOTENCY_INVALID_REUSE'])
  })

  it('lets exactly one of several concurrent duplicates run; the others see 422 IDEMPOTENCY_CONCURRENT_USE or the replay', async () => {
    const person = await seedPerson(h.workspaces.a)
    const headers = { 'idempotency-key': uuidv7() }
    // Hold the key's lock as an in-flight request would, so the duplicates overlap it for certain.
    const holder = h.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtextextended(${h.workspaces.a + '/' + headers['idempotency-key']}, 0))`
      const during = await Promise.all([1, 2, 3].map(() => h.request('POST', '/v0/disclosures', { body: disclosureFor(person), headers })))
      for (const r of during) { assert.equal(r.status, 422); assert.equal(r.body.code, 'IDEMPOTENCY_CONCURRENT_USE') }
    })
    await holder
    const results = await Promise.all([1, 2, 3, 4].map(() => h.request('POST', '/v0/disclosures', { body: disclosureFor(person), headers })))
    const created = results.filter((r) => r.status === 201)
    assert.ok(created.length >= 1)
    for (const r of results) assert.ok(r.status === 201 || (r.status === 422 && r.body.code === 'IDEMPOTENCY_CONCURRENT_USE'))
    assert.equal(new Set(created.map((r) => r.body.id)).size, 1)
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from disclosures where person_id = ${person}`
    assert.equal(n, 1)
  })

  it('keys are per workspace', async () => {
    const pa = await seedPerson(h.workspaces.a)
    const pb = await seedPerson(h.workspaces.b)
    const headers = { 'idempotency-key': 'shared-key' }
    assert.equal((await h.request('POST', '/v0/disclosures', { body: disclosureFor(pa), headers })).status, 201)
    assert.equal((await h.request('POST', '/v0/disclosures', { key: h.keys.b, body: disclosureFor(pb), headers })).status, 201)
  })
})

describe('tenancy', () => {
  it('hides another workspace’s records and refuses references to its parties', async () => {
    const pa = await seedPerson(h.workspaces.a)
    const created = await h.request('POST', '/v0/disclosures', { body: disclosureFor(pa) })
    assert.equal((await h.request('GET', `/v0/disclosures/${created.body.id}`, { key: h.keys.b })).status, 404)
    const listB = await h.request('GET', '/v0/disclosures', { key: h.keys.b })
    assert.ok(!listB.body.disclosures.some((d: { id: string }) => d.id === created.body.id))
    const crossRef = await h.request('POST', '/v0/disclosures', { key: h.keys.b, body: disclosureFor(pa) })
    assert.equal(crossRef.status, 400)
    assert.equal(crossRef.body.code, 'CUSTOMER_NOT_FOUND')
  })
})

describe('events', () => {
  it('writes an event row in the same transaction as each change, and none for a refused request', async () => {
    const ws = await newWorkspace('events', 'sandbox')
    const person = await seedPerson(ws.id)
    const created = await h.request('POST', '/v0/disclosures', { key: ws.key, body: disclosureFor(person) })
    await h.request('POST', '/v0/disclosures', { key: ws.key, body: { ...disclosureFor(person), person_id: uuidv7() } })
    // The person's own events (PERSON.CREATED, CUSTOMER.CREATED) are not the disclosure's concern.
    const events = await h.sql`select type, resource_id, resource from events where workspace_id = ${ws.id} and resource_id <> ${person}`
    assert.equal(events.length, 1)
    assert.equal(events[0].type, 'DISCLOSURE.CREATED')
    assert.equal(events[0].resource_id, created.body.id)
    assert.deepEqual(events[0].resource, created.body)
  })
})

describe('wipe', () => {
  it('in sandbox deletes the customer data and keeps keys; in live answers 422 WIPE_NOT_ENABLED', async () => {
    const ws = await newWorkspace('wipe', 'sandbox')
    const other = await seedPerson(h.workspaces.b)
    await h.request('POST', '/v0/disclosures', { key: h.keys.b, body: disclosureFor(other) })
    const person = await seedPerson(ws.id)
    await h.request('POST', '/v0/disclosures', { key: ws.key, body: disclosureFor(person) })
    const res = await h.request('POST', '/v0/wipe', { key: ws.key })
    assert.equal(res.status, 204)
    assert.equal((await h.request('GET', '/v0/disclosures', { key: ws.key })).body.disclosures.length, 0)
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from persons where workspace_id = ${ws.id}`
    assert.equal(n, 0)
    assert.ok((await h.request('GET', '/v0/disclosures', { key: h.keys.b })).body.disclosures.length >= 1, 'other workspaces untouched')
    const live = await h.request('POST', '/v0/wipe', { key: h.keys.live })
    assert.equal(live.status, 422)
    assert.equal(live.body.code, 'WIPE_NOT_ENABLED')
  })
})

describe('operations endpoints', () => {
  it('serves health, the OpenAPI document and the docs page without a key', async () => {
    assert.equal((await h.app.inject({ url: '/health/live' })).statusCode, 200)
    assert.equal((await h.app.inject({ url: '/health/ready' })).statusCode, 200)
    const doc = await h.app.inject({ url: '/v0/openapi.json' })
    assert.equal(doc.statusCode, 200)
    assert.ok(doc.json().paths['/disclosures'])
    assert.equal((await h.app.inject({ url: '/docs/' })).statusCode, 200)
  })
})
