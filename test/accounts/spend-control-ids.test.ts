// `spend_control_ids` on accounts and templates must name spend controls of the caller's workspace:
// an id naming none (another workspace's, a random one, or one written otherwise than the spend
// control's id) is 400 BAD_REQUEST_BODY, as an unknown fee_product_ids is, and nothing changes.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createTemplate, openAccount, templateBody } from '../support/accounts.js'
import { createVerifiedBusiness } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

async function snapshotOf(workspaceId: string) {
  const out: Record<string, unknown[]> = {}
  for (const table of ['accounts', 'account_templates', 'account_relationships', 'ledger_accounts', 'spend_controls', 'events']) {
    out[table] = [...await h.sql`select * from ${h.sql(table)} where workspace_id = ${workspaceId} order by id`]
  }
  return out
}

async function spendControl(key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/spend_controls', { key, body: { name: 'limit', is_active: true, action_case: false, action_decline: true, amount_limit: 10_000, time_range: { time_range_type: 'SINGLE_TRANSACTION' } } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

describe('spend_control_ids', () => {
  it('refuses an id naming no spend control of the workspace on POST, PATCH and PUT /v0/accounts and on templates', async () => {
    const mine = await spendControl()
    const foreign = await spendControl(h.keys.b)
    const account = await openAccount(h, { spend_control_ids: [mine.id] })
    const holder = await createVerifiedBusiness(h)
    const template = await createTemplate(h)
    const before = await snapshotOf(h.workspaces.a)
    // An id in another spelling (a urn:uuid: prefix) is not an id at all: refused by its format, below.
    for (const unknown of [uuidv7(), foreign.id, mine.id.toUpperCase()]) {
      const ids = [mine.id, unknown]
      const attempts: [string, string, Promise<{ status: number; body: any }>][] = [
        ['POST /accounts', 'spend_control_ids', h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: holder.id }], spend_control_ids: ids } })],
        ['PATCH /accounts', 'spend_control_ids', h.request('PATCH', `/v0/accounts/${account.id}`, { body: { spend_control_ids: ids } })],
        ['PUT /accounts', 'spend_control_ids', h.request('PUT', `/v0/accounts/${account.id}`, { body: { spend_control_ids: ids } })],
        ['POST /accounts/templates', 'template.spend_control_ids', h.request('POST', '/v0/accounts/templates', { body: templateBody({}, { spend_control_ids: ids }) })],
        ['PUT /accounts/templates', 'template.spend_control_ids', h.request('PUT', `/v0/accounts/templates/${template.id}`, { body: templateBody({}, { spend_control_ids: ids }) })],
      ]
      for (const [what, field, attempt] of attempts) {
        const res = await attempt
        assert.equal(res.status, 400, `${what} naming ${unknown}: ${JSON.stringify(res.body)}`)
        assert.equal(res.body.code, 'BAD_REQUEST_BODY', what)
        assert.deepEqual(res.body.invalid, { [field]: 'no such spend control' }, what)
        assert.ok(res.body.detail.includes(unknown) && !res.body.detail.includes(`${mine.id},`), `${what}: the detail names the unknown id only: ${res.body.detail}`)
      }
    }
    const urn = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { spend_control_ids: [`urn:uuid:${mine.id}`] } })
    assert.equal(urn.status, 400, JSON.stringify(urn.body))
    assert.deepEqual(urn.body.invalid, { 'spend_control_ids[0]': 'must match format "uuid"' })
    assert.deepEqual(await snapshotOf(h.workspaces.a), before, 'nothing of workspace a changed')
  })

  it('takes the workspace\'s own spend controls, and counts the accounts that name them', async () => {
    const [one, two] = [await spendControl(), await spendControl()]
    const account = await openAccount(h, { spend_control_ids: [one.id] })
    assert.deepEqual(account.spend_control_ids, [one.id])
    const patched = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { spend_control_ids: [one.id, two.id] } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.deepEqual(patched.body.spend_control_ids, [one.id, two.id])
    const put = await h.request('PUT', `/v0/accounts/${account.id}`, { body: { spend_control_ids: [two.id] } })
    assert.deepEqual(put.body.spend_control_ids, [two.id])
    const template = await createTemplate(h, { spend_control_ids: [one.id] })
    assert.deepEqual(template.template.spend_control_ids, [one.id])
    const fromTemplate = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: (await createVerifiedBusiness(h)).id }] } })
    assert.equal(fromTemplate.status, 201, JSON.stringify(fromTemplate.body))
    assert.deepEqual(fromTemplate.body.spend_control_ids, [one.id])
    assert.equal((await h.request('GET', `/v0/spend_controls/${one.id}`)).body.number_of_related_accounts, 1)
    assert.equal((await h.request('GET', `/v0/spend_controls/${two.id}`)).body.number_of_related_accounts, 1)
  })

  it('checks only the ids a PATCH or PUT sends: an id an older account holds does not block its other changes', async () => {
    const account = await openAccount(h)
    // Written before ids were checked, an account may hold one that names nothing.
    const stale = uuidv7()
    await h.sql`update accounts set fields = fields || ${h.sql.json({ spend_control_ids: [stale] })} where workspace_id = ${h.workspaces.a} and id = ${account.id}`
    const nick = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { nickname: 'still mine' } })
    assert.equal(nick.status, 200, JSON.stringify(nick.body))
    assert.deepEqual(nick.body.spend_control_ids, [stale])
    const cleared = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { spend_control_ids: [] } })
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body))
    assert.deepEqual(cleared.body.spend_control_ids, [])
  })

  it('checks what an account opens with, a template\'s ids among it', async () => {
    const template = await createTemplate(h)
    const stale = uuidv7()
    await h.sql`update account_templates set fields = jsonb_set(fields, '{template,spend_control_ids}', ${h.sql.json([stale])}) where workspace_id = ${h.workspaces.a} and id = ${template.id}`
    const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: (await createVerifiedBusiness(h)).id }] } })
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.deepEqual(res.body.invalid, { spend_control_ids: 'no such spend control' })
    // The request's own ids override the template's.
    const own = await spendControl()
    const overriding = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, spend_control_ids: [own.id], relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: (await createVerifiedBusiness(h)).id }] } })
    assert.equal(overriding.status, 201, JSON.stringify(overriding.body))
    assert.deepEqual(overriding.body.spend_control_ids, [own.id])
  })
})
