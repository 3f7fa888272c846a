// Ids an accounts body names (overflow, overdraft, linked and security accounts, a closure's
// destination) must name an account of the caller's workspace: another workspace's account, or
// no account at all, is 400 ACCOUNT_NOT_FOUND, and nothing of the caller's changes.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createTemplate, fundingAccount, openAccount, templateBody } from '../support/accounts.js'
import { createVerifiedBusiness } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

async function snapshotOf(workspaceId: string) {
  const out: Record<string, unknown[]> = {}
  for (const table of ['accounts', 'account_templates', 'internal_accounts', 'ledger_accounts', 'events']) {
    out[table] = [...await h.sql`select * from ${h.sql(table)} where workspace_id = ${workspaceId} order by id`]
  }
  return out
}

/** Terms naming `id` in every field that names an account. */
const namings = (id: string): [string, Record<string, unknown>][] => [
  ['balance_ceiling.overflow_account_id', { balance_ceiling: { balance: 100_000, overflow_account_id: id } }],
  ['balance_ceiling.linked_account_id', { balance_ceiling: { balance: 100_000, linked_account_id: id } }],
  ['balance_floor.overdraft_account_id', { balance_floor: { balance: 0, overdraft_account_id: id } }],
  ['balance_floor.linked_account_id', { balance_floor: { balance: 0, linked_account_id: id } }],
]

describe('accounts named in a body', () => {
  it('refuses another workspace\'s account, or none, on POST, PATCH and PUT /v0/accounts and on templates', async () => {
    const mine = await openAccount(h)
    const foreign = await openAccount(h, {}, h.keys.b)
    const foreignInternal = await fundingAccount(h, h.keys.b)
    const holder = await createVerifiedBusiness(h)
    const template = await createTemplate(h)
    const before = await snapshotOf(h.workspaces.a)
    for (const id of [foreign.id, foreignInternal.id, uuidv7()]) {
      for (const [field, terms] of namings(id)) {
        const attempts = [
          h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: holder.id }], ...terms } }),
          h.request('PATCH', `/v0/accounts/${mine.id}`, { body: terms }),
          h.request('PUT', `/v0/accounts/${mine.id}`, { body: terms }),
          h.request('POST', '/v0/accounts/templates', { body: templateBody({}, terms) }),
          h.request('PUT', `/v0/accounts/templates/${template.id}`, { body: templateBody({}, terms) }),
        ]
        for (const [i, res] of (await Promise.all(attempts)).entries()) {
          assert.equal(res.status, 400, `attempt ${i} naming ${field}: ${JSON.stringify(res.body)}`)
          assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND')
          assert.match(res.body.detail, new RegExp(field.replace('.', '\\.')))
        }
      }
    }
    assert.deepEqual(await snapshotOf(h.workspaces.a), before, 'nothing of workspace a changed')
  })

  it('accepts the caller\'s own accounts and internal accounts', async () => {
    const mine = await openAccount(h)
    const other = await openAccount(h)
    const funding = await fundingAccount(h)
    const patched = await h.request('PATCH', `/v0/accounts/${mine.id}`, { body: { balance_ceiling: { balance: 100_000, overflow_account_id: other.id }, balance_floor: { balance: 0, overdraft_account_id: funding.id } } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.balance_ceiling.overflow_account_id, other.id)
    assert.equal(patched.body.balance_floor.overdraft_account_id, funding.id)
    const created = await openAccount(h, { balance_ceiling: { balance: 5, overflow_account_id: mine.id } })
    assert.equal(created.balance_ceiling.overflow_account_id, mine.id)
  })

  it('refuses a closure destination outside the workspace, before anything closes', async () => {
    const mine = await openAccount(h)
    const foreign = await openAccount(h, {}, h.keys.b)
    for (const [payment_method, destination_id] of [['INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT', foreign.id], ['INTERNAL_TRANSFER_TO_INTERNAL_ACCOUNT', (await fundingAccount(h, h.keys.b)).id]]) {
      const res = await h.request('POST', `/v0/accounts/${mine.id}/initiate_closure`, { body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'moving', payment_method, destination_id } })
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND')
    }
    assert.equal((await h.request('GET', `/v0/accounts/${mine.id}`)).body.status, 'ACTIVE_OR_DISBURSED')
  })
})
