// Undeclared request fields are accepted and ignored: never stored, never echoed. Declared fields
// are validated against the shape of the account's actual type. (The harness also checks every
// response strictly: no property its schema does not declare.)
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { createTemplate, openAccount, templateBody } from '../support/accounts.js'
import { createVerifiedBusiness } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

/** Fields no account schema declares, one of them (billing_period) in a form the response schema would not decode. */
const undeclared = { billing_period: 'MONTHLY', favourite_colour: 'teal', bank_country: 'US' }

const storedFields = async (table: 'accounts' | 'account_templates' | 'internal_accounts', id: string) =>
  (await h.sql<{ fields: Record<string, any> }[]>`select fields from ${h.sql(table)} where workspace_id = ${h.workspaces.a} and id = ${id}`)[0].fields

const lastEvent = async (resourceId: string) =>
  (await h.sql<{ type: string; resource: any; size: number }[]>`
    select type, resource, octet_length(resource::text) as size from events
    where workspace_id = ${h.workspaces.a} and resource_id = ${resourceId} order by id desc limit 1`)[0]

const noneOf = (o: Record<string, unknown>, names: string[]) => assert.deepEqual(names.filter((n) => n in o), [])

describe('accounts', () => {
  it('ignores undeclared fields on create, from the request and from the template, and stores none', async () => {
    const account = await openAccount(h, { ...undeclared, balance_floor: { balance: 0, tip: 'x' }, nickname: 'kept' })
    noneOf(account, ['billing_period', 'favourite_colour', 'bank_country'])
    assert.deepEqual(account.balance_floor, { balance: 0 })
    assert.equal(account.nickname, 'kept')
    const stored = await storedFields('accounts', account.id)
    noneOf(stored, ['billing_period', 'favourite_colour', 'bank_country'])
    assert.deepEqual(stored.balance_floor, { balance: 0 })
    const event = await lastEvent(account.id)
    assert.equal(event.type, 'ACCOUNT.CREATED')
    noneOf(event.resource, ['billing_period', 'favourite_colour', 'bank_country'])
    // The list a strict client decodes holds the account, clean.
    const list = await h.request('GET', '/v0/accounts')
    assert.equal(list.status, 200)
    noneOf(list.body.accounts.find((a: any) => a.id === account.id), Object.keys(undeclared))
  })

  it('copies from the template only what the account type declares', async () => {
    const template = await createTemplate(h, { overdraft_limit: 300, is_ach_enabled: true })
    assert.equal(template.template.bank_country, 'US', 'a template keeps its own bank_country')
    const holder = await createVerifiedBusiness(h)
    const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: holder.id }] } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.overdraft_limit, 300)
    assert.equal(res.body.is_ach_enabled, true)
    assert.equal(res.body.bank_country, undefined)
    noneOf(await storedFields('accounts', res.body.id), ['bank_country'])
  })

  it('validates declared fields against the shape of the account type, and ignores other types\' fields', async () => {
    const holder = await createVerifiedBusiness(h)
    const relationships = [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: holder.id }]
    // A CHECKING account's overdraft_limit is declared (minimum 0): refused, although the spec's
    // union would let it through the other types' shapes, which do not declare it.
    const bad = await h.request('POST', '/v0/accounts', { body: { account_type: 'CHECKING', currency: 'USD', relationships, overdraft_limit: -1 } })
    assert.equal(bad.status, 400, JSON.stringify(bad.body))
    assert.equal(bad.body.code, 'BAD_REQUEST_BODY')
    assert.ok('overdraft_limit' in bad.body.invalid, JSON.stringify(bad.body))
    // grace_period belongs to credit accounts: on CHECKING it is undeclared, so ignored whatever it holds.
    const ignored = await h.request('POST', '/v0/accounts', { body: { account_type: 'CHECKING', currency: 'USD', relationships, grace_period: 'soon', credit_limit: -5 } })
    assert.equal(ignored.status, 201, JSON.stringify(ignored.body))
    noneOf(ignored.body, ['grace_period', 'credit_limit'])
    // On PATCH the stored account's type decides.
    const patched = await h.request('PATCH', `/v0/accounts/${ignored.body.id}`, { body: { overdraft_limit: -3 } })
    assert.equal(patched.status, 400)
    assert.ok('overdraft_limit' in patched.body.invalid)
    const patchedGl = await h.request('PATCH', `/v0/accounts/${ignored.body.id}`, { body: { grace_period: 'soon', nickname: 'n' } })
    assert.equal(patchedGl.status, 200, JSON.stringify(patchedGl.body))
    assert.equal(patchedGl.body.grace_period, undefined)
  })

  it('ignores undeclared fields on PATCH and PUT', async () => {
    const account = await openAccount(h)
    for (const method of ['PATCH', 'PUT']) {
      const res = await h.request(method, `/v0/accounts/${account.id}`, { body: { ...undeclared, nickname: method, spending_limits: { day: { amount: 5, extra: 1 } } } })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.equal(res.body.nickname, method)
      assert.deepEqual(res.body.spending_limits, { day: { amount: 5 } })
      noneOf(res.body, Object.keys(undeclared))
      noneOf(await storedFields('accounts', account.id), Object.keys(undeclared))
      const event = await lastEvent(account.id)
      assert.equal(event.type, 'ACCOUNT.UPDATED')
      noneOf(event.resource, Object.keys(undeclared))
    }
  })

  it('never shows undeclared fields an older row still holds, and drops them on its next change', async () => {
    const account = await openAccount(h)
    await h.sql`update accounts set fields = fields || ${h.sql.json({ billing_period: 'MONTHLY', legacy: { a: 1 }, balance_floor: { balance: 0, stray: true } })}
                where workspace_id = ${h.workspaces.a} and id = ${account.id}`
    const got = await h.request('GET', `/v0/accounts/${account.id}`)
    assert.equal(got.status, 200)
    noneOf(got.body, ['billing_period', 'legacy'])
    assert.deepEqual(got.body.balance_floor, { balance: 0 })
    const patched = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { nickname: 'clean' } })
    assert.equal(patched.status, 200)
    const stored = await storedFields('accounts', account.id)
    noneOf(stored, ['billing_period', 'legacy'])
    assert.deepEqual(stored.balance_floor, { balance: 0 })
  })

  it('does not grow with five PATCHes of 0.95 MB of undeclared fields', async () => {
    const account = await openAccount(h)
    const bulk = 'x'.repeat(950 * 1024)
    for (let i = 0; i < 5; i++) {
      const res = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { [`padding_${i}`]: bulk, nickname: `n${i}` } })
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500))
      assert.ok(JSON.stringify(res.body).length < 4096, 'the answer stays small')
    }
    const [row] = await h.sql<{ size: number }[]>`select octet_length(fields::text) as size from accounts where workspace_id = ${h.workspaces.a} and id = ${account.id}`
    assert.ok(row.size < 4096, `stored fields are ${row.size} bytes`)
    const events = await h.sql<{ size: number }[]>`select octet_length(resource::text) as size from events where workspace_id = ${h.workspaces.a} and resource_id = ${account.id} and type = 'ACCOUNT.UPDATED'`
    assert.equal(events.length, 5)
    for (const e of events) assert.ok(e.size < 4096, `an ACCOUNT.UPDATED event is ${e.size} bytes`)
  })
})

describe('account templates', () => {
  it('keeps only what the template\'s account type declares, inside template and around it', async () => {
    const body = templateBody({ colour: 'teal' }, { billing_period: 'MONTHLY', grace_period: 'soon', overdraft_limit: 7, balance_floor: { balance: 0, stray: 1 } })
    const res = await h.request('POST', '/v0/accounts/templates', { body })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    noneOf(res.body, ['colour'])
    noneOf(res.body.template, ['billing_period', 'grace_period'])
    assert.equal(res.body.template.overdraft_limit, 7)
    assert.deepEqual(res.body.template.balance_floor, { balance: 0 })
    const stored = await storedFields('account_templates', res.body.id)
    noneOf(stored, ['colour'])
    noneOf(stored.template, ['billing_period', 'grace_period'])
    const put = await h.request('PUT', `/v0/accounts/templates/${res.body.id}`, { body })
    assert.equal(put.status, 200)
    noneOf(put.body.template, ['billing_period', 'grace_period'])
  })

  it('validates template fields against the shape account_type names', async () => {
    // LINE_OF_CREDIT declares grace_period (21–28): out of range is refused, named under template.
    const res = await h.request('POST', '/v0/accounts/templates', { body: templateBody({}, { account_type: 'LINE_OF_CREDIT', grace_period: 5, minimum_payment: { type: 'RATE_OR_AMOUNT', rate: 1, min_amount: 100 } }) })
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.ok('template.grace_period' in res.body.invalid, JSON.stringify(res.body))
  })

  it('never shows undeclared fields an older template row holds', async () => {
    const t = await createTemplate(h)
    await h.sql`update account_templates set fields = jsonb_set(fields || '{"legacy": 1}', '{template,billing_period}', '"MONTHLY"')
                where workspace_id = ${h.workspaces.a} and id = ${t.id}`
    const got = await h.request('GET', `/v0/accounts/templates/${t.id}`)
    assert.equal(got.status, 200)
    noneOf(got.body, ['legacy'])
    noneOf(got.body.template, ['billing_period'])
  })
})

describe('internal accounts', () => {
  it('ignores undeclared fields on create and PATCH, and stores none', async () => {
    const created = await h.request('POST', '/v0/internal_accounts', { body: { currency: 'USD', status: 'ACTIVE', description: 'fees', gl_type: 'REVENUE', ...undeclared, is_sandbox_funding: true } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    noneOf(created.body, [...Object.keys(undeclared), 'is_sandbox_funding'])
    assert.equal(created.body.description, 'fees')
    noneOf(await storedFields('internal_accounts', created.body.id), [...Object.keys(undeclared), 'is_sandbox_funding', 'currency'])
    // gl_type is not among the fields a PATCH declares: ignored there.
    const patched = await h.request('PATCH', `/v0/internal_accounts/${created.body.id}`, { body: { description: 'fees 2', gl_type: 'ASSET', ...undeclared } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.description, 'fees 2')
    assert.equal(patched.body.gl_type, 'REVENUE')
    noneOf(patched.body, Object.keys(undeclared))
    noneOf(await storedFields('internal_accounts', created.body.id), Object.keys(undeclared))
    const event = await lastEvent(created.body.id)
    assert.equal(event.type, 'INTERNAL_ACCOUNT.UPDATED')
    noneOf(event.resource, Object.keys(undeclared))
  })
})

describe('migration 0560', () => {
  it('drops the undeclared fields older rows hold, and keeps every declared one', async () => {
    const account = await openAccount(h, { nickname: 'keep', overdraft_limit: 5, balance_floor: { balance: -5 } })
    const template = await createTemplate(h, { overdraft_limit: 9 })
    const internal = await h.request('POST', '/v0/internal_accounts', { body: { currency: 'USD', status: 'ACTIVE', description: 'fees' } })
    const clean = {
      accounts: await storedFields('accounts', account.id),
      account_templates: await storedFields('account_templates', template.id),
      internal_accounts: await storedFields('internal_accounts', internal.body.id),
    }
    const junk = { billing_period: 'MONTHLY', padding: 'x'.repeat(10_000) }
    for (const [table, id] of [['accounts', account.id], ['account_templates', template.id], ['internal_accounts', internal.body.id]] as const) {
      await h.sql`update ${h.sql(table)} set fields = fields || ${h.sql.json(junk)} where workspace_id = ${h.workspaces.a} and id = ${id}`
    }
    await h.sql`update account_templates set fields = jsonb_set(fields, '{template,billing_period}', '"MONTHLY"') where workspace_id = ${h.workspaces.a} and id = ${template.id}`
    const { readFileSync } = await import('node:fs')
    await h.sql.unsafe(readFileSync(new URL('../../migrations/0560_accounts_declared_fields_only.sql', import.meta.url), 'utf8'))
    assert.deepEqual(await storedFields('accounts', account.id), clean.accounts)
    assert.deepEqual(await storedFields('account_templates', template.id), clean.account_templates)
    assert.deepEqual(await storedFields('internal_accounts', internal.body.id), clean.internal_accounts)
  })
})
