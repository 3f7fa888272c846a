// An account relates a party to it once per relationship_type: a second relationship of the same
// type to the same party is 409 DUPLICATE_RESOURCE (as POST /v0/relationships answers), by POST or
// by a PUT that would make one the twin of another; in one POST /v0/accounts body, 400
// BAD_REQUEST_BODY. Nothing changes on a refusal.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { createTemplate, openAccount } from '../support/accounts.js'
import { createVerifiedBusiness, createVerifiedPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

async function snapshotOf(workspaceId: string) {
  const out: Record<string, unknown[]> = {}
  for (const table of ['accounts', 'account_relationships', 'ledger_accounts', 'persons', 'businesses', 'events', 'idempotency_keys']) {
    out[table] = [...await h.sql`select * from ${h.sql(table)} where workspace_id = ${workspaceId} order by 1, 2`]
  }
  return out
}

const relate = (accountId: string, body: Record<string, unknown>) => h.request('POST', `/v0/accounts/${accountId}/relationships`, { body })

function assertDuplicate(res: { status: number; body: any }, what: string): void {
  assert.equal(res.status, 409, `${what}: ${JSON.stringify(res.body)}`)
  assert.equal(res.body.code, 'DUPLICATE_RESOURCE', what)
  assert.equal(res.body.type, 'https://dev.synctera.com/errors/duplicate', what)
}

describe('duplicate account relationships', () => {
  it('refuses a second relationship of the same type to the same party with 409, however the party is named', async () => {
    const account = await openAccount(h)
    const [signer, user] = [await createVerifiedPerson(h), await createVerifiedBusiness(h)]
    const first = await relate(account.id, { relationship_type: 'AUTHORIZED_SIGNER', person_id: signer.id })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const second = await relate(account.id, { relationship_type: 'AUTHORIZED_USER', business_id: user.id })
    assert.equal(second.status, 201, JSON.stringify(second.body))
    const before = await snapshotOf(h.workspaces.a)
    for (const [what, body, existing] of [
      ['the same body', { relationship_type: 'AUTHORIZED_SIGNER', person_id: signer.id }, first.body.id],
      ['the person as customer_id', { relationship_type: 'AUTHORIZED_SIGNER', customer_id: signer.id }, first.body.id],
      ['as both', { relationship_type: 'AUTHORIZED_SIGNER', person_id: signer.id, customer_id: signer.id }, first.body.id],
      ['a business', { relationship_type: 'AUTHORIZED_USER', business_id: user.id }, second.body.id],
    ] as const) {
      const res = await relate(account.id, body)
      assertDuplicate(res, what)
      assert.ok(res.body.detail.includes(existing), `${what}: the detail names the relationship there is: ${res.body.detail}`)
    }
    assert.deepEqual(await snapshotOf(h.workspaces.a), before, 'nothing changed')
    // The same party may hold another role, and the same role may go to another party.
    assert.equal((await relate(account.id, { relationship_type: 'AUTHORIZED_USER', person_id: signer.id })).status, 201)
    assert.equal((await relate(account.id, { relationship_type: 'AUTHORIZED_SIGNER', person_id: (await createVerifiedPerson(h)).id })).status, 201)
    // And another account may relate the same party the same way.
    assert.equal((await relate((await openAccount(h)).id, { relationship_type: 'AUTHORIZED_SIGNER', person_id: signer.id })).status, 201)
  })

  it('answers one of three concurrent identical requests with 201 and the others with 409', async () => {
    const account = await openAccount(h)
    const signer = await createVerifiedPerson(h)
    const body = { relationship_type: 'AUTHORIZED_SIGNER', person_id: signer.id }
    const answers = await Promise.all([relate(account.id, body), relate(account.id, body), relate(account.id, body)])
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409])
    const rows = await h.sql`select id from account_relationships where workspace_id = ${h.workspaces.a} and account_id = ${account.id} and person_id = ${signer.id}`
    assert.equal(rows.length, 1)
  })

  it('refuses a PUT that would make a relationship the twin of another, and takes one that changes nothing', async () => {
    const account = await openAccount(h)
    const signer = await createVerifiedPerson(h)
    const a = (await relate(account.id, { relationship_type: 'AUTHORIZED_SIGNER', person_id: signer.id })).body
    const b = (await relate(account.id, { relationship_type: 'AUTHORIZED_USER', person_id: signer.id })).body
    const before = await snapshotOf(h.workspaces.a)
    assertDuplicate(await h.request('PUT', `/v0/accounts/${account.id}/relationships/${b.id}`, { body: { relationship_type: 'AUTHORIZED_SIGNER', customer_id: signer.id } }), 'PUT onto a twin')
    assert.deepEqual(await snapshotOf(h.workspaces.a), before, 'nothing changed')
    const same = await h.request('PUT', `/v0/accounts/${account.id}/relationships/${a.id}`, { body: { relationship_type: 'AUTHORIZED_SIGNER', person_id: signer.id } })
    assert.equal(same.status, 200, JSON.stringify(same.body))
    assert.equal(same.body.id, a.id)
  })

  it('refuses an opening whose relationships name the same party with the same type twice, with 400', async () => {
    const [ada, acme] = [await createVerifiedPerson(h), await createVerifiedBusiness(h)]
    const template = await createTemplate(h)
    const before = await snapshotOf(h.workspaces.a)
    for (const relationships of [
      [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: acme.id }, { relationship_type: 'AUTHORIZED_SIGNER', person_id: ada.id }, { relationship_type: 'AUTHORIZED_SIGNER', customer_id: ada.id }],
      [{ relationship_type: 'ACCOUNT_HOLDER', business_id: acme.id }, { relationship_type: 'ACCOUNT_HOLDER', business_id: acme.id }],
    ]) {
      const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships } })
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
      const twin = relationships.length - 1
      assert.deepEqual(Object.keys(res.body.invalid), [`relationships[${twin}]`])
      assert.match(res.body.invalid[`relationships[${twin}]`], new RegExp(`relationships\\[${twin - 1}\\]`))
    }
    assert.deepEqual(await snapshotOf(h.workspaces.a), before, 'nothing changed')
    // One party in two roles opens.
    const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', person_id: ada.id }, { relationship_type: 'AUTHORIZED_SIGNER', person_id: ada.id }] } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
  })
})
