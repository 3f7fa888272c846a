// GET /v0/accounts sort_by with several keys: every page walked, at several page sizes, against the
// order computed here; ties (same type, same holder names, no holder name at all) broken by id.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { createTemplate } from '../support/accounts.js'
import { createPerson, createVerifiedBusiness, createVerifiedPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

type Field = 'account_number' | 'account_type' | 'first_name' | 'last_name'
/** An account as sort_by sees it: the holder's names are '' when it has no person or the person no name. */
interface Sortable { id: string; account_number: string; account_type: string; first_name: string; last_name: string }

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The order the API promises: the keys, most significant first, then the id (creation order). */
function expectedOrder(accounts: Sortable[], sortBy: string[]): string[] {
  const keys = sortBy.map((s) => ({ field: s.split(':')[0] as Field, sign: s.endsWith(':desc') ? -1 : 1 }))
  return [...accounts].sort((a, b) => {
    for (const k of keys) {
      const c = compareText(a[k.field], b[k.field]) * k.sign
      if (c !== 0) return c
    }
    return compareText(a.id, b.id)
  }).map((a) => a.id)
}

/** Every page of a sorted list, following next_page_token; fails on a repeated id. */
async function walk(key: string, sortBy: string[], limit: number, between?: () => Promise<void>): Promise<string[]> {
  const seen: string[] = []
  let token: string | undefined
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100, 'a walk ends')
    const res = await h.request('GET', `/v0/accounts?sort_by=${sortBy.join(',')}&limit=${limit}${token ? `&page_token=${token}` : ''}`, { key })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.ok(res.body.accounts.length <= limit)
    seen.push(...res.body.accounts.map((a: any) => a.id))
    token = res.body.next_page_token
    if (!token) break
    await between?.()
  }
  assert.equal(new Set(seen).size, seen.length, `no account on two pages: ${seen.join(', ')}`)
  return seen
}

describe('GET /v0/accounts sort_by with several keys', () => {
  let key: string
  const accounts: Sortable[] = []
  let open: (n: string, type: string, relationships: Record<string, unknown>[], names: [string, string]) => Promise<void>

  before(async () => {
    const ws = await h.newWorkspace('multi-sort', 'sandbox')
    key = ws.key
    const template = await createTemplate(h, {}, key)
    open = async (number, accountType, relationships, [first, last]) => {
      const res = await h.request('POST', '/v0/accounts', { key, body: { account_template_id: template.id, account_type: accountType, manual_account_number: number, relationships } })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      accounts.push({ id: res.body.id, account_number: number, account_type: accountType, first_name: first, last_name: last })
    }
    const adaByron = await createVerifiedPerson(h, { first_name: 'Ada', last_name: 'Byron' }, key)
    const adaByronToo = await createVerifiedPerson(h, { first_name: 'Ada', last_name: 'Byron' }, key)
    const adaLovelace = await createVerifiedPerson(h, { first_name: 'Ada', last_name: 'Lovelace' }, key)
    const grace = await createVerifiedPerson(h, { first_name: 'Grace', last_name: 'Hopper' }, key)
    const nameless = await createPerson(h, { first_name: undefined, last_name: undefined }, key)
    assert.equal(nameless.first_name, undefined)
    const business = await createVerifiedBusiness(h, {}, key)
    const primary = (party: Record<string, string>) => ({ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', ...party })
    // Account numbers out of creation order, so that no key's order is the id's by accident.
    await open('400000000006', 'SAVING', [primary({ person_id: grace.id })], ['Grace', 'Hopper'])
    await open('400000000003', 'CHECKING', [primary({ person_id: adaByronToo.id })], ['Ada', 'Byron'])
    await open('400000000001', 'CHECKING', [primary({ person_id: adaByron.id })], ['Ada', 'Byron'])
    await open('400000000004', 'SAVING', [primary({ business_id: business.id })], ['', ''])
    // The business is the primary holder; the name sorted by is the first person's, who has none.
    await open('400000000005', 'CHECKING', [primary({ business_id: business.id }), { relationship_type: 'AUTHORIZED_SIGNER', person_id: nameless.id }], ['', ''])
    await open('400000000002', 'SAVING', [primary({ person_id: adaLovelace.id })], ['Ada', 'Lovelace'])
    await open('400000000008', 'SAVING', [primary({ business_id: business.id }), { relationship_type: 'ACCOUNT_HOLDER', person_id: grace.id }], ['Grace', 'Hopper'])
    await open('400000000007', 'CHECKING', [{ relationship_type: 'ACCOUNT_HOLDER', person_id: adaByron.id }], ['Ada', 'Byron'])
    await open('400000000009', 'SAVING', [primary({ business_id: business.id })], ['', ''])
  })

  const orders = [
    ['first_name:asc', 'last_name:desc'],
    ['last_name:desc', 'account_type:asc'],
    ['account_type:desc', 'first_name:asc', 'last_name:asc'],
    ['first_name:desc', 'account_type:asc', 'last_name:asc', 'account_number:desc'],
    ['account_type:asc', 'account_number:desc'],
    ['account_type:asc'],
    ['last_name:asc'],
    ['first_name:desc'],
  ]
  for (const sortBy of orders) {
    it(`pages through ${sortBy.join(',')} in order, each account once`, async () => {
      const expected = expectedOrder(accounts, sortBy)
      for (const limit of [1, 2, 4, 100]) assert.deepEqual(await walk(key, sortBy, limit), expected, `limit ${limit}`)
    })
  }

  it('keeps a walk complete and in order while accounts are added', async () => {
    const sortBy = ['first_name:asc', 'account_type:desc']
    const initial = expectedOrder(accounts, sortBy)
    const business = await createVerifiedBusiness(h, {}, key)
    let n = 0
    const seen = await walk(key, sortBy, 2, async () => {
      n++
      await open(`40000000010${n}`, n % 2 ? 'CHECKING' : 'SAVING', [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: business.id }], ['', ''])
    })
    assert.ok(n >= 4)
    // Every account present when the walk began is shown once, in the promised order; accounts
    // added behind the page boundary are not shown, those added ahead of it are, in their place.
    assert.deepEqual(seen.filter((id) => initial.includes(id)), initial)
    const now = expectedOrder(accounts, sortBy)
    assert.deepEqual(seen, now.filter((id) => seen.includes(id)))
  })

  it('refuses a field named twice', async () => {
    for (const sortBy of ['first_name:asc,first_name:desc', 'account_number:asc,last_name:asc,account_number:asc']) {
      const res = await h.request('GET', `/v0/accounts?sort_by=${sortBy}`, { key })
      assert.equal(res.status, 400)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER')
      assert.match(res.body.detail, /more than once/)
    }
  })
})
