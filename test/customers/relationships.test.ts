import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createBusiness, createPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const beneficialOwner = (personId: string, businessId: string, percent: number) =>
  ({ relationship_type: 'BENEFICIAL_OWNER_OF', from_person_id: personId, to_business_id: businessId, additional_data: { percent_ownership: percent } })
const businessOwner = (ownerId: string, businessId: string, percent: number) =>
  ({ relationship_type: 'OWNER_OF', from_business_id: ownerId, to_business_id: businessId, additional_data: { percent_ownership: percent } })
const managingPerson = (personId: string, businessId: string, title = 'DIRECTOR') =>
  ({ relationship_type: 'MANAGING_PERSON_OF', from_person_id: personId, to_business_id: businessId, additional_data: { title } })
const payerPayee = (ends: Record<string, string>, transferType = 'DEBIT') =>
  ({ relationship_type: 'PAYER_PAYEE', ...ends, additional_data: { transfer_type: transferType } })

const post = (body: unknown, key?: string, headers?: Record<string, string>) => h.request('POST', '/v0/relationships', { body, key, headers })
async function created(body: unknown, key?: string): Promise<any> {
  const res = await post(body, key)
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}
const count = async (table: 'relationships' | 'events', workspaceId: string) =>
  (await h.sql<{ n: number }[]>`select count(*)::int as n from ${h.sql(table)} where workspace_id = ${workspaceId}`)[0].n
async function waitForLockWaiters(n: number, attemptsMax = 250) {
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const [{ waiting }] = await h.sql<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
    if (waiting >= n) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.fail(`${n} requests never all waited on the lock`)
}
const relationshipEvents = (workspaceId: string) =>
  h.sql`select type, resource_id, resource, changed_fields from events where workspace_id = ${workspaceId} and type like 'RELATIONSHIP.%' order by id`

describe('create and read', () => {
  it('creates each type of relationship, returns it on GET and records RELATIONSHIP.CREATED', async () => {
    const ws = await h.newWorkspace('each-type', 'sandbox')
    const [ada, bob] = [await createPerson(h, {}, ws.key), await createPerson(h, {}, ws.key)]
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    const bodies = [
      beneficialOwner(ada.id, acme.id, 35.75),
      managingPerson(bob.id, acme.id, 'OFFICER'),
      businessOwner(holding.id, acme.id, 64.25),
      payerPayee({ from_person_id: ada.id, to_business_id: holding.id }, 'CREDIT'),
      payerPayee({ from_business_id: acme.id, to_person_id: bob.id }),
      { ...managingPerson(ada.id, holding.id, 'FOUNDER'), metadata: { source: 'onboarding' } },
    ]
    const made = []
    for (const body of bodies) {
      const r = await created(body, ws.key)
      for (const [field, value] of Object.entries(body)) assert.deepEqual(r[field], value, field)
      assert.equal(r.tenant, ws.id)
      assert.equal(r.creation_time, r.last_updated_time)
      assert.deepEqual((await h.request('GET', `/v0/relationships/${r.id}`, { key: ws.key })).body, r)
      made.push(r)
    }
    const events = await relationshipEvents(ws.id)
    assert.deepEqual(events.map((e) => e.type), bodies.map(() => 'RELATIONSHIP.CREATED'))
    assert.deepEqual(events.map((e) => e.resource), made)
  })

  it('answers an unknown or malformed id with 404', async () => {
    for (const id of [uuidv7(), 'nope']) {
      for (const method of ['GET', 'DELETE']) {
        const res = await h.request(method, `/v0/relationships/${id}`)
        assert.equal(res.status, 404, `${method} ${id}`)
        assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
      }
    }
  })
})

describe('rules', () => {
  it('keeps the owners of a business at or under 100% in total, and a refused request changes nothing', async () => {
    const ws = await h.newWorkspace('ownership', 'sandbox')
    const [ada, bob] = [await createPerson(h, {}, ws.key), await createPerson(h, {}, ws.key)]
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    const adaOwns = await created(beneficialOwner(ada.id, acme.id, 60), ws.key)
    await created(businessOwner(holding.id, acme.id, 39.9999), ws.key)
    await created(managingPerson(bob.id, acme.id), ws.key)
    const eventsBefore = await count('events', ws.id)
    const over = await post(beneficialOwner(bob.id, acme.id, 0.0002), ws.key)
    assert.equal(over.status, 400)
    assert.equal(over.body.code, 'BAD_REQUEST_BODY')
    assert.deepEqual(Object.keys(over.body.invalid), ['additional_data.percent_ownership'])
    const raise = await h.request('PATCH', `/v0/relationships/${adaOwns.id}`, { key: ws.key, body: { relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { percent_ownership: 60.0002 } } })
    assert.equal(raise.status, 400)
    assert.equal(raise.body.code, 'BAD_REQUEST_BODY')
    assert.equal(await count('relationships', ws.id), 3)
    assert.equal(await count('events', ws.id), eventsBefore)
    assert.equal((await h.request('GET', `/v0/relationships/${adaOwns.id}`, { key: ws.key })).body.additional_data.percent_ownership, 60)
    // The last ten-thousandth fits; then a lowered share leaves room for another owner.
    await created(beneficialOwner(bob.id, acme.id, 0.0001), ws.key)
    const lower = await h.request('PATCH', `/v0/relationships/${adaOwns.id}`, { key: ws.key, body: { relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { percent_ownership: 50 } } })
    assert.equal(lower.status, 200)
    await created(businessOwner(await createBusiness(h, {}, ws.key).then((b) => b.id), acme.id, 10), ws.key)
  })

  it('lets concurrent owners through only while their total stays at or under 100%', async () => {
    const ws = await h.newWorkspace('race', 'sandbox')
    const acme = await createBusiness(h, {}, ws.key)
    const owners: { id: string }[] = []
    for (let i = 0; i < 6; i++) owners.push(await createPerson(h, {}, ws.key))
    // Hold the business row so every request is in flight at once before any can finish.
    let pending: Promise<{ status: number }[]> | undefined
    await h.sql.begin(async (tx) => {
      await tx`select 1 from businesses where id = ${acme.id} for update`
      pending = Promise.all(owners.map((p) => post(beneficialOwner(p.id, acme.id, 40), ws.key)))
      await waitForLockWaiters(owners.length)
    })
    const results = await pending!
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 201, 400, 400, 400, 400])
    const [{ total }] = await h.sql<{ total: string }[]>`select sum(ownership_percentage)::text as total from relationships where to_business_id = ${acme.id}`
    assert.equal(Number(total), 80)
  })

  it('refuses a duplicate of the same type between the same parties, but not another type', async () => {
    const ws = await h.newWorkspace('duplicates', 'sandbox')
    const ada = await createPerson(h, {}, ws.key)
    const acme = await createBusiness(h, {}, ws.key)
    await created(beneficialOwner(ada.id, acme.id, 10), ws.key)
    const again = await post(beneficialOwner(ada.id, acme.id, 5), ws.key)
    assert.equal(again.status, 409)
    assert.equal(again.body.code, 'DUPLICATE_RESOURCE')
    await created(managingPerson(ada.id, acme.id), ws.key)
    assert.equal((await post(managingPerson(ada.id, acme.id, 'OFFICER'), ws.key)).status, 409)
    assert.equal(await count('relationships', ws.id), 2)
  })

  // Several rules broken at once: the first in the precedence order wins.
  it('answers the refusal that comes first when several apply', async () => {
    const ws = await h.newWorkspace('precedence', 'sandbox')
    const ada = await createPerson(h, {}, ws.key)
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    await created(beneficialOwner(ada.id, acme.id, 90), ws.key)
    const ghost = uuidv7()
    const table: { name: string; body: unknown; status: number; code: string }[] = [
      { name: 'bad shape beats everything', body: { ...businessOwner(acme.id, acme.id, 101) }, status: 400, code: 'BAD_REQUEST_BODY' },
      { name: 'self-ownership beats over-ownership', body: businessOwner(acme.id, acme.id, 50), status: 400, code: 'BAD_REQUEST_BODY' },
      { name: 'a missing owner beats a missing target', body: beneficialOwner(ghost, uuidv7(), 50), status: 400, code: 'CUSTOMER_NOT_FOUND' },
      { name: 'a missing owner beats over-ownership', body: beneficialOwner(ghost, acme.id, 50), status: 400, code: 'CUSTOMER_NOT_FOUND' },
      { name: 'a missing owning business beats over-ownership', body: businessOwner(ghost, acme.id, 50), status: 400, code: 'BUSINESS_NOT_FOUND' },
      { name: 'a missing target business', body: businessOwner(holding.id, ghost, 50), status: 400, code: 'BUSINESS_NOT_FOUND' },
      { name: 'a duplicate beats over-ownership', body: beneficialOwner(ada.id, acme.id, 50), status: 409, code: 'DUPLICATE_RESOURCE' },
      { name: 'over-ownership', body: businessOwner(holding.id, acme.id, 10.0001), status: 400, code: 'BAD_REQUEST_BODY' },
    ]
    for (const c of table) {
      const res = await post(c.body, ws.key)
      assert.equal(res.status, c.status, `${c.name}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.code, c.code, c.name)
    }
    assert.equal(await count('relationships', ws.id), 1)
  })
})

interface BadInput { name: string; body: unknown; status?: number; code?: string; missing?: string[]; invalid?: string[]; immutable?: string[] }

function checkRefusal(res: { status: number; body: any }, c: BadInput) {
  assert.equal(res.status, c.status ?? 400, `${c.name}: ${JSON.stringify(res.body)}`)
  assert.equal(res.body.code, c.code ?? 'BAD_REQUEST_BODY', c.name)
  if (c.missing) assert.deepEqual(res.body.missing, c.missing, c.name)
  if (c.invalid) assert.deepEqual(Object.keys(res.body.invalid ?? {}).sort(), c.invalid, c.name)
  if (c.immutable) assert.deepEqual(res.body.immutable, c.immutable, c.name)
}

describe('bad input', () => {
  it('POST refuses each bad body cleanly and creates nothing', async () => {
    const ws = await h.newWorkspace('bad-create', 'sandbox')
    const ada = await createPerson(h, {}, ws.key)
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    const eventsBefore = await count('events', ws.id)
    const bo = beneficialOwner(ada.id, acme.id, 25)
    const cases: BadInput[] = [
      { name: 'empty body', body: {}, missing: ['relationship_type'] },
      { name: 'unknown type', body: { ...bo, relationship_type: 'FRIEND_OF' }, invalid: ['relationship_type'] },
      { name: 'owner without additional_data', body: { ...bo, additional_data: undefined }, missing: ['additional_data'] },
      { name: 'owner with a title instead of a share', body: { ...bo, additional_data: { title: 'DIRECTOR' } }, missing: ['additional_data.percent_ownership'] },
      { name: 'zero share', body: beneficialOwner(ada.id, acme.id, 0), invalid: ['additional_data.percent_ownership'] },
      { name: 'share over 100', body: beneficialOwner(ada.id, acme.id, 100.5), invalid: ['additional_data.percent_ownership'] },
      { name: 'share as a string', body: { ...bo, additional_data: { percent_ownership: '25' } }, invalid: ['additional_data.percent_ownership'] },
      { name: 'share finer than four decimals', body: beneficialOwner(ada.id, acme.id, 33.33333), invalid: ['additional_data.percent_ownership'] },
      { name: 'share above zero but too small to keep', body: beneficialOwner(ada.id, acme.id, 5e-324), invalid: ['additional_data.percent_ownership'] },
      { name: 'owner without a target', body: { ...bo, to_business_id: undefined }, missing: ['to_business_id'] },
      { name: 'beneficial owner that is a business', body: { ...bo, from_person_id: undefined, from_business_id: holding.id }, missing: ['from_person_id'] },
      { name: 'unknown title', body: managingPerson(ada.id, acme.id, 'CEO'), invalid: ['additional_data.title'] },
      { name: 'payer both person and business', body: payerPayee({ from_person_id: ada.id, from_business_id: holding.id, to_business_id: acme.id }), invalid: ['from_business_id', 'from_person_id'] },
      { name: 'payer with no payee', body: payerPayee({ from_person_id: ada.id }), invalid: ['to_business_id', 'to_person_id'] },
      { name: 'unknown transfer type', body: payerPayee({ from_person_id: ada.id, to_business_id: acme.id }, 'WIRE'), invalid: ['additional_data.transfer_type'] },
      { name: 'malformed party id', body: { ...bo, from_person_id: 'ada' }, invalid: ['from_person_id'] },
      { name: 'metadata not an object', body: { ...bo, metadata: 'x' }, invalid: ['metadata'] },
      { name: 'another workspace as tenant', body: { ...bo, tenant: h.workspaces.b }, status: 422, code: 'INVALID_TENANCY' },
    ]
    for (const c of cases) checkRefusal(await post(c.body, ws.key), c)
    assert.equal(await count('relationships', ws.id), 0)
    assert.equal(await count('events', ws.id), eventsBefore)
  })

  it('PATCH refuses each bad body cleanly and changes nothing', async () => {
    const ws = await h.newWorkspace('bad-patch', 'sandbox')
    const [ada, bob] = [await createPerson(h, {}, ws.key), await createPerson(h, {}, ws.key)]
    const acme = await createBusiness(h, {}, ws.key)
    const owned = await created(beneficialOwner(ada.id, acme.id, 25), ws.key)
    await created(beneficialOwner(bob.id, acme.id, 25), ws.key)
    const eventsBefore = await count('events', ws.id)
    const cases: BadInput[] = [
      { name: 'no type', body: { additional_data: { percent_ownership: 30 } }, missing: ['relationship_type'] },
      { name: 'another type', body: { relationship_type: 'MANAGING_PERSON_OF', additional_data: { title: 'DIRECTOR' } }, immutable: ['relationship_type'] },
      { name: 'a share in another type\'s shape', body: { relationship_type: 'MANAGING_PERSON_OF', additional_data: { percent_ownership: 30 } }, missing: ['additional_data.title'] },
      { name: 'zero share', body: { relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { percent_ownership: 0 } }, invalid: ['additional_data.percent_ownership'] },
      { name: 'share above zero but too small to keep', body: { relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { percent_ownership: 0.00004 } }, invalid: ['additional_data.percent_ownership'] },
      { name: 'title on an owner', body: { relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { title: 'DIRECTOR' } }, missing: ['additional_data.percent_ownership'] },
      { name: 'changed creation time', body: { relationship_type: 'BENEFICIAL_OWNER_OF', creation_time: '2020-01-01T00:00:00.000Z' }, immutable: ['creation_time'] },
      { name: 'missing target', body: { relationship_type: 'BENEFICIAL_OWNER_OF', to_business_id: uuidv7() }, code: 'BUSINESS_NOT_FOUND' },
      { name: 'missing owner', body: { relationship_type: 'BENEFICIAL_OWNER_OF', from_person_id: uuidv7() }, code: 'CUSTOMER_NOT_FOUND' },
      { name: 'becoming a duplicate', body: { relationship_type: 'BENEFICIAL_OWNER_OF', from_person_id: bob.id }, status: 409, code: 'DUPLICATE_RESOURCE' },
      { name: 'over 100%', body: { relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { percent_ownership: 75.0001 } } },
      { name: 'another workspace as tenant', body: { relationship_type: 'BENEFICIAL_OWNER_OF', tenant: h.workspaces.b }, status: 422, code: 'INVALID_TENANCY' },
    ]
    for (const c of cases) checkRefusal(await h.request('PATCH', `/v0/relationships/${owned.id}`, { key: ws.key, body: c.body }), c)
    for (const id of [uuidv7(), 'nope']) {
      checkRefusal(await h.request('PATCH', `/v0/relationships/${id}`, { key: ws.key, body: { relationship_type: 'BENEFICIAL_OWNER_OF' } }), { name: id, body: null, status: 404, code: 'RESOURCE_NOT_FOUND' })
    }
    assert.deepEqual((await h.request('GET', `/v0/relationships/${owned.id}`, { key: ws.key })).body, owned)
    assert.equal(await count('events', ws.id), eventsBefore)
  })

  it('lists refuse bad query parameters', async () => {
    for (const q of ['limit=0', 'id=nope', 'from_person_id=x', 'to_business_id=1,2', 'relationship_type=FRIEND_OF', 'page_token=zzz']) {
      const res = await h.request('GET', `/v0/relationships?${q}`)
      assert.equal(res.status, 400, q)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', q)
    }
  })
})

describe('update and delete', () => {
  it('changes what the spec lets change and records RELATIONSHIP.UPDATED with prior values; a no-op writes nothing', async () => {
    const ws = await h.newWorkspace('update', 'sandbox')
    const ada = await createPerson(h, {}, ws.key)
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    const managing = await created(managingPerson(ada.id, acme.id), ws.key)
    const res = await h.request('PATCH', `/v0/relationships/${managing.id}`, { key: ws.key, body: { relationship_type: 'MANAGING_PERSON_OF', additional_data: { title: 'OFFICER' }, to_business_id: holding.id, metadata: { k: 1 } } })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.additional_data, { title: 'OFFICER' })
    assert.equal(res.body.to_business_id, holding.id)
    assert.deepEqual(res.body.metadata, { k: 1 })
    assert.equal((await h.request('GET', `/v0/relationships/${managing.id}`, { key: ws.key })).body.to_business_id, holding.id)
    for (const body of [{ relationship_type: 'MANAGING_PERSON_OF' }, res.body]) {
      const noop = await h.request('PATCH', `/v0/relationships/${managing.id}`, { key: ws.key, body })
      assert.equal(noop.status, 200)
      assert.deepEqual(noop.body, res.body)
    }
    const events = await relationshipEvents(ws.id)
    assert.deepEqual(events.map((e) => e.type), ['RELATIONSHIP.CREATED', 'RELATIONSHIP.UPDATED'])
    assert.deepEqual(events[1].changed_fields, { additional_data: { title: 'DIRECTOR' }, to_business_id: acme.id, metadata: null })
    assert.deepEqual(events[1].resource, res.body)
  })

  it('moves a payer from a person to a business', async () => {
    const ws = await h.newWorkspace('payer-move', 'sandbox')
    const ada = await createPerson(h, {}, ws.key)
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    const pp = await created(payerPayee({ from_person_id: ada.id, to_business_id: acme.id }), ws.key)
    const res = await h.request('PATCH', `/v0/relationships/${pp.id}`, { key: ws.key, body: { relationship_type: 'PAYER_PAYEE', from_business_id: holding.id } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.from_business_id, holding.id)
    assert.equal(res.body.from_person_id, undefined)
  })

  it('deletes a relationship, records RELATIONSHIP.DELETED, and frees its share', async () => {
    const ws = await h.newWorkspace('delete', 'sandbox')
    const [ada, bob] = [await createPerson(h, {}, ws.key), await createPerson(h, {}, ws.key)]
    const acme = await createBusiness(h, {}, ws.key)
    const owned = await created(beneficialOwner(ada.id, acme.id, 100), ws.key)
    assert.equal((await post(beneficialOwner(bob.id, acme.id, 1), ws.key)).status, 400)
    const res = await h.request('DELETE', `/v0/relationships/${owned.id}`, { key: ws.key })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { id: owned.id, resource: 'relationship' })
    assert.equal((await h.request('GET', `/v0/relationships/${owned.id}`, { key: ws.key })).status, 404)
    assert.equal((await h.request('DELETE', `/v0/relationships/${owned.id}`, { key: ws.key })).status, 404)
    await created(beneficialOwner(bob.id, acme.id, 100), ws.key)
    const events = await relationshipEvents(ws.id)
    assert.deepEqual(events.map((e) => e.type), ['RELATIONSHIP.CREATED', 'RELATIONSHIP.DELETED', 'RELATIONSHIP.CREATED'])
    assert.deepEqual(events[1].resource, owned)
  })
})

describe('lists and idempotency', () => {
  it('filters by party, type and id, and pages in creation order', async () => {
    const ws = await h.newWorkspace('filters', 'sandbox')
    const [ada, bob] = [await createPerson(h, {}, ws.key), await createPerson(h, {}, ws.key)]
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    const r1 = await created(beneficialOwner(ada.id, acme.id, 50), ws.key)
    const r2 = await created(managingPerson(bob.id, acme.id), ws.key)
    const r3 = await created(businessOwner(holding.id, acme.id, 50), ws.key)
    const r4 = await created(beneficialOwner(bob.id, holding.id, 100), ws.key)
    const r5 = await created(payerPayee({ from_business_id: acme.id, to_person_id: ada.id }), ws.key)
    const list = async (q: string) => (await h.request('GET', `/v0/relationships?${q}`, { key: ws.key })).body.relationships.map((r: { id: string }) => r.id)
    assert.deepEqual(await list(''), [r1.id, r2.id, r3.id, r4.id, r5.id])
    assert.deepEqual(await list(`from_person_id=${bob.id}`), [r2.id, r4.id])
    assert.deepEqual(await list(`from_business_id=${holding.id},${acme.id}`), [r3.id, r5.id])
    assert.deepEqual(await list(`to_business_id=${acme.id}`), [r1.id, r2.id, r3.id])
    assert.deepEqual(await list('relationship_type=BENEFICIAL_OWNER_OF,OWNER_OF'), [r1.id, r3.id, r4.id])
    assert.deepEqual(await list(`to_business_id=${acme.id}&relationship_type=MANAGING_PERSON_OF`), [r2.id])
    assert.deepEqual(await list(`id=${r5.id},${r1.id}`), [r1.id, r5.id])
    const page1 = await h.request('GET', '/v0/relationships?limit=3', { key: ws.key })
    assert.equal(page1.body.relationships.length, 3)
    const page2 = await h.request('GET', `/v0/relationships?limit=3&page_token=${page1.body.next_page_token}`, { key: ws.key })
    assert.deepEqual(page2.body.relationships.map((r: { id: string }) => r.id), [r4.id, r5.id])
    assert.equal(page2.body.next_page_token, undefined)
  })

  it('replays a create retried with the same Idempotency-Key instead of refusing it as a duplicate', async () => {
    const ws = await h.newWorkspace('replay', 'sandbox')
    const ada = await createPerson(h, {}, ws.key)
    const acme = await createBusiness(h, {}, ws.key)
    const headers = { 'idempotency-key': uuidv7() }
    const first = await post(beneficialOwner(ada.id, acme.id, 20), ws.key, headers)
    const again = await post(beneficialOwner(ada.id, acme.id, 20), ws.key, headers)
    assert.equal(first.status, 201)
    assert.equal(again.status, 201)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    assert.equal(await count('relationships', ws.id), 1)
    assert.equal((await relationshipEvents(ws.id)).length, 1)
  })
})

describe('tenancy', () => {
  it('hides a relationship from another workspace and refuses references to its parties', async () => {
    const ada = await createPerson(h)
    const acme = await createBusiness(h)
    const owned = await created(beneficialOwner(ada.id, acme.id, 10))
    const b = h.keys.b
    assert.equal((await h.request('GET', `/v0/relationships/${owned.id}`, { key: b })).status, 404)
    assert.deepEqual((await h.request('GET', `/v0/relationships?id=${owned.id}`, { key: b })).body.relationships, [])
    assert.deepEqual((await h.request('GET', `/v0/relationships?to_business_id=${acme.id}`, { key: b })).body.relationships, [])
    assert.equal((await h.request('PATCH', `/v0/relationships/${owned.id}`, { key: b, body: { relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { percent_ownership: 90 } } })).status, 404)
    assert.equal((await h.request('DELETE', `/v0/relationships/${owned.id}`, { key: b })).status, 404)
    assert.deepEqual((await h.request('GET', `/v0/relationships/${owned.id}`)).body, owned)
    const bobInB = await createPerson(h, {}, b)
    const acmeInB = await createBusiness(h, {}, b)
    checkRefusal(await post(beneficialOwner(ada.id, acmeInB.id, 10), b), { name: 'a person of workspace a', body: null, code: 'CUSTOMER_NOT_FOUND' })
    checkRefusal(await post(beneficialOwner(bobInB.id, acme.id, 10), b), { name: 'a business of workspace a', body: null, code: 'BUSINESS_NOT_FOUND' })
    checkRefusal(await post(businessOwner(acme.id, acmeInB.id, 10), b), { name: 'an owner of workspace a', body: null, code: 'BUSINESS_NOT_FOUND' })
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from relationships where workspace_id = ${h.workspaces.b}`
    assert.equal(n, 0)
  })
})

describe('wipe', () => {
  it('removes relationships along with the businesses they join', async () => {
    const ws = await h.newWorkspace('wipe', 'sandbox')
    const [acme, holding] = [await createBusiness(h, {}, ws.key), await createBusiness(h, {}, ws.key)]
    await created(businessOwner(holding.id, acme.id, 100), ws.key)
    assert.equal((await h.request('POST', '/v0/wipe', { key: ws.key })).status, 204)
    assert.equal(await count('relationships', ws.id), 0)
    assert.deepEqual((await h.request('GET', '/v0/businesses', { key: ws.key })).body.businesses, [])
  })
})
