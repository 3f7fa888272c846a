// GET /v0/persons and GET /v0/customers: every filter the spec names, sort orders, pages, tenancy.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { createPerson } from '../support/parties.js'

let h: Harness
let ws: { id: string; key: string }
let people: Record<string, any>
after(async () => { await h.close() })
before(async () => {
  h = await startHarness()
  ws = await h.newWorkspace('lists', 'sandbox')
  const make = (overrides: Record<string, unknown>) => createPerson(h, overrides, ws.key)
  people = {
    ada: await make({ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@analytical.example', phone_number: '+14155550101', ssn: '111-11-1234' }),
    grace: await make({ first_name: 'Grace', last_name: 'Hopper', email: 'grace@navy.example', phone_number: '+12025550102', ssn: '222-22-5678', status: 'INACTIVE' }),
    alan: await make({ first_name: 'Alan', chosen_name: 'Turing', last_name: 'Turing', email: 'alan@bletchley.example', phone_number: '+447700900003', is_customer: false }),
    percent: await make({ first_name: '50%_off', last_name: 'Literal', email: 'lit@example.com', ssn: '333-33-1234', ban_status: 'SUSPENDED', note: 'test' }),
    bare: await make({ first_name: undefined, last_name: undefined, email: undefined, phone_number: undefined, ssn: undefined }),
  }
})

const names = (list: { id: string }[]) => list.map((p) => Object.entries(people).find(([, v]) => v.id === p.id)?.[0] ?? p.id)
async function list(path: string, items = 'persons'): Promise<string[]> {
  const res = await h.request('GET', path, { key: ws.key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return names(res.body[items])
}

describe('GET /v0/persons filters', () => {
  const cases: [string, string[]][] = [
    ['', ['ada', 'grace', 'alan', 'percent', 'bare']],
    ['first_name=Ada', ['ada']],
    ['first_name=a*', ['ada', 'alan']],
    ['first_name=*RAC*', ['grace']],
    ['first_name=turing', ['alan']],
    ['first_name=50%25*', ['percent']],
    ['first_name=5_%25', []],
    ['last_name=Hop*', ['grace']],
    ['last_name=*e*', ['ada', 'grace', 'percent']],
    ['email=*.example', ['ada', 'grace', 'alan']],
    ['email=GRACE@NAVY.EXAMPLE', ['grace']],
    ['phone_number=%2B1*', ['ada', 'grace', 'percent']],
    ['phone_number=*0003', ['alan']],
    ['ssn_last_4=1234', ['ada', 'percent']],
    ['ssn_last_4=5678', ['grace']],
    ['status=INACTIVE', ['grace']],
    ['status=ACTIVE', ['ada', 'alan', 'percent', 'bare']],
    ['is_customer=false', ['alan']],
    ['is_customer=true', ['ada', 'grace', 'percent', 'bare']],
    ['has_accounts=false', ['ada', 'grace', 'alan', 'percent', 'bare']],
    ['has_accounts=true', []],
    ['ban_status=SUSPENDED', ['percent']],
    ['ban_status=ALLOWED,SUSPENDED', ['ada', 'grace', 'alan', 'percent', 'bare']],
    ['include_console_users=true', ['ada', 'grace', 'alan', 'percent', 'bare']],
    ['first_name=a*&is_customer=true', ['ada']],
  ]
  for (const [query, expected] of cases) {
    it(`?${query || '(none)'}`, async () => {
      assert.deepEqual(await list(`/v0/persons?${query}`), expected)
    })
  }

  it('?id= with a comma list', async () => {
    assert.deepEqual(await list(`/v0/persons?id=${people.grace.id},${people.bare.id}`), ['grace', 'bare'])
  })
})

describe('GET /v0/persons sort orders', () => {
  const cases: [string, string[]][] = [
    ['first_name:asc', ['bare', 'percent', 'ada', 'alan', 'grace']],
    ['first_name:desc', ['grace', 'alan', 'ada', 'percent', 'bare']],
    ['last_name:asc', ['bare', 'grace', 'percent', 'ada', 'alan']],
    ['last_name:desc,first_name:asc', ['alan', 'ada', 'percent', 'grace', 'bare']],
    ['creation_time:desc', ['bare', 'percent', 'alan', 'grace', 'ada']],
    ['last_updated_time:asc', ['ada', 'grace', 'alan', 'percent', 'bare']],
  ]
  for (const [sort, expected] of cases) {
    it(`sort_by=${sort}, whole and page by page`, async () => {
      assert.deepEqual(await list(`/v0/persons?sort_by=${sort}`), expected)
      const seen: string[] = []
      let token: string | undefined
      do {
        const res = await h.request('GET', `/v0/persons?sort_by=${sort}&limit=2${token ? `&page_token=${token}` : ''}`, { key: ws.key })
        assert.equal(res.status, 200)
        assert.ok(res.body.persons.length <= 2)
        seen.push(...names(res.body.persons))
        token = res.body.next_page_token
      } while (token)
      assert.deepEqual(seen, expected)
    })
  }
})

describe('GET /v0/persons pages', () => {
  it('pages by id with an opaque token, omitted on the last page', async () => {
    const first = await h.request('GET', '/v0/persons?limit=3', { key: ws.key })
    assert.deepEqual(names(first.body.persons), ['ada', 'grace', 'alan'])
    assert.ok(first.body.next_page_token)
    const second = await h.request('GET', `/v0/persons?limit=3&page_token=${first.body.next_page_token}`, { key: ws.key })
    assert.deepEqual(names(second.body.persons), ['percent', 'bare'])
    assert.equal(second.body.next_page_token, undefined)
  })

  it('refuses bad query parameters with 400 BAD_QUERY_PARAMETER', async () => {
    for (const q of ['limit=0', 'id=nope', 'status=ALIVE', 'is_customer=maybe', 'ssn_last_4=123', 'ssn_last_4=12345', 'ban_status=GONE', 'sort_by=email:asc', 'sort_by=first_name:asc,first_name:desc', 'page_token=xyz']) {
      const res = await h.request('GET', `/v0/persons?${q}`, { key: ws.key })
      assert.equal(res.status, 400, q)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', q)
    }
  })

  it('shows the SSN masked and the personal ids in every listed person', async () => {
    const res = await h.request('GET', `/v0/persons?id=${people.ada.id}`, { key: ws.key })
    assert.deepEqual(res.body.persons[0], people.ada)
    assert.equal(res.body.persons[0].ssn, '***-**-1234')
  })
})

describe('GET /v0/customers', () => {
  it('lists only customers, in the customer view, with the same filters', async () => {
    assert.deepEqual(await list('/v0/customers', 'customers'), ['ada', 'grace', 'percent', 'bare'])
    assert.deepEqual(await list('/v0/customers?first_name=a*', 'customers'), ['ada'])
    assert.deepEqual(await list('/v0/customers?ssn_last_4=1234&status=ACTIVE', 'customers'), ['ada', 'percent'])
    assert.deepEqual(await list('/v0/customers?sort_by=last_name:desc', 'customers'), ['ada', 'percent', 'grace', 'bare'])
    assert.deepEqual(await list(`/v0/customers?id=${people.alan.id},${people.grace.id}`, 'customers'), ['grace'])
    const res = await h.request('GET', `/v0/customers?id=${people.ada.id}`, { key: ws.key })
    assert.equal(res.body.customers[0].kyc_status, 'UNVERIFIED')
    assert.equal(res.body.customers[0].is_customer, undefined)
    const paged = await h.request('GET', '/v0/customers?limit=3', { key: ws.key })
    assert.deepEqual(names(paged.body.customers), ['ada', 'grace', 'percent'])
    assert.deepEqual(names((await h.request('GET', `/v0/customers?limit=3&page_token=${paged.body.next_page_token}`, { key: ws.key })).body.customers), ['bare'])
  })
})

describe('tenancy', () => {
  it('lists nothing of another workspace, even by id or SSN', async () => {
    for (const path of ['/v0/persons', `/v0/persons?id=${people.ada.id}`, '/v0/persons?ssn_last_4=1234', '/v0/customers', `/v0/customers?id=${people.ada.id}`]) {
      const res = await h.request('GET', path, { key: h.keys.b })
      assert.equal(res.status, 200)
      const items = res.body.persons ?? res.body.customers
      assert.ok(!items.some((p: { id: string }) => Object.values(people).some((v) => v.id === p.id)), path)
    }
  })
})
