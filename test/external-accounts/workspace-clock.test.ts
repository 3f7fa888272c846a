// The built-in Plaid sandbox runs on the clock of the workspace that linked the item: a sandbox
// workspace moved forward sees its external accounts' transactions, balance times and link tokens
// move with it, while another workspace stays at real time.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { createPerson } from '../support/parties.js'
import { accountIdsByMask, albertaBody, linkedAccessToken, sandboxPublicToken, startListeningHarness, type ListeningHarness } from './support.js'

const dayMs = 86_400_000
/** The clock's base moves only when a test moves it. */
const baseMs = Date.parse('2031-03-10T15:00:00Z')
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

let h: ListeningHarness
before(async () => { h = await startListeningHarness(new WorkspaceClock(() => baseMs)) })
after(async () => { await h.close() })

/** A checking account linked through the sandbox in the workspace of `key`. */
async function linkedChecking(key: string): Promise<string> {
  const person = await createPerson(h, albertaBody, key)
  const token = await linkedAccessToken(h, { customer_id: person.id }, key)
  const ids = await accountIdsByMask(h, token)
  const res = await h.request('POST', '/v0/external_accounts/add_vendor_accounts', {
    key, body: { customer_id: person.id, customer_type: 'PERSONAL', vendor: 'PLAID', vendor_access_token: token, vendor_account_ids: [ids['0000']] },
  })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.added_accounts[0].id
}

const transactions = async (key: string, id: string, start: string, end: string): Promise<any[]> => {
  const res = await h.request('GET', `/v0/external_accounts/${id}/transactions?start_date=${start}&end_date=${end}`, { key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.transactions
}

describe('the Plaid sandbox on the workspace clock', () => {
  it('dates balances and transactions on the linking workspace\'s clock, not another\'s', async () => {
    const moved = await h.newWorkspace('plaid-clock-moved', 'sandbox')
    const still = await h.newWorkspace('plaid-clock-still', 'sandbox')
    const movedAccount = await linkedChecking(moved.key)
    const stillAccount = await linkedChecking(still.key)

    const advanced = await h.request('POST', '/v0/sandbox/clock/advance', { key: moved.key, body: { by: 'P10D' } })
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body))
    const movedNow = baseMs + 10 * dayMs

    const movedBalance = await h.request('GET', `/v0/external_accounts/${movedAccount}/balance`, { key: moved.key })
    assert.equal(movedBalance.status, 200, JSON.stringify(movedBalance.body))
    assert.equal(movedBalance.body.last_updated_time_vendor, new Date(movedNow).toISOString())
    const stillBalance = await h.request('GET', `/v0/external_accounts/${stillAccount}/balance`, { key: still.key })
    assert.equal(stillBalance.body.last_updated_time_vendor, new Date(baseMs).toISOString())

    // The ten days the moved workspace lived through brought transactions; the other has none there yet.
    const start = day(baseMs + dayMs)
    const end = day(movedNow + dayMs)
    const movedDays = await transactions(moved.key, movedAccount, start, end)
    assert.ok(movedDays.length >= 4, `one every 2 days on checking, got ${movedDays.length}`)
    assert.ok(movedDays.every((t) => t.date >= start && t.date <= day(movedNow)), JSON.stringify(movedDays.map((t) => t.date)))
    assert.deepEqual(await transactions(still.key, stillAccount, start, end), [])
  })

  it('exchanges a public token made with an integrator\'s own client id once the workspace has moved its clock forward', async () => {
    // The token is made on real time (the caller is no workspace), the exchange asked on the
    // workspace's, 35 days on: the token's 30 minutes run on the clock it was made on.
    const ws = await h.newWorkspace('plaid-clock-exchange', 'sandbox')
    assert.equal((await h.request('POST', '/v0/sandbox/clock/advance', { key: ws.key, body: { by: 'P35D' } })).status, 200)
    const person = await createPerson(h, albertaBody, ws.key)
    const publicToken = await sandboxPublicToken(h)
    const body = { customer_id: person.id, vendor_institution_id: 'ins_109508', vendor_public_token: publicToken }
    const res = await h.request('POST', '/v0/external_accounts/access_tokens', { key: ws.key, body })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    // Spent once, as ever.
    const again = await h.request('POST', '/v0/external_accounts/access_tokens', { key: ws.key, body })
    assert.equal(again.status, 400)
    assert.match(again.body.detail, /INVALID_PUBLIC_TOKEN/)
  })

  it('expires a link token on the workspace\'s clock', async () => {
    const ws = await h.newWorkspace('plaid-clock-link', 'sandbox')
    const person = await createPerson(h, albertaBody, ws.key)
    const created = await h.request('POST', '/v0/external_accounts/link_tokens', {
      key: ws.key, body: { customer_id: person.id, client_name: 'Keel Test App', country_codes: ['US'], language: 'EN', type: 'DEPOSITORY' },
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.expiration, new Date(baseMs + 4 * 3_600_000).toISOString())
    const session = () => fetch(`${h.baseUrl}/plaid/link/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ link_token: created.body.link_token }) })
    assert.equal((await session()).status, 200)
    assert.equal((await h.request('POST', '/v0/sandbox/clock/advance', { key: ws.key, body: { by: 'PT4H' } })).status, 200)
    const expired = await session()
    assert.equal(expired.status, 400)
    assert.equal((await expired.json()).error_code, 'INVALID_LINK_TOKEN')
  })
})
