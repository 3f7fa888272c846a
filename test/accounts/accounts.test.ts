import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { balanceOf, balances, createTemplate, fundingAccount, openAccount, templateBody, transfer } from '../support/accounts.js'
import { createVerifiedBusiness, createVerifiedPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const interest = { product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: [{ rate: 125, accrual_period: 'DAILY', valid_from: '2026-01-01' }] }
const fee = { product_type: 'FEE', fee_type: 'MONTHLY_FEE', amount: 500, currency: 'USD' }

describe('account products', () => {
  it('creates, lists and patches INTEREST and FEE products', async () => {
    const i = await h.request('POST', '/v0/accounts/products', { body: interest })
    assert.equal(i.status, 201, JSON.stringify(i.body))
    const f = await h.request('POST', '/v0/accounts/products', { body: fee })
    assert.equal(f.status, 201)
    const list = await h.request('GET', '/v0/accounts/products?product_type=FEE')
    assert.deepEqual(list.body.account_products.map((p: any) => p.id), [f.body.id])
    const patched = await h.request('PATCH', `/v0/accounts/products/${i.body.id}`, { body: { product_type: 'INTEREST', rates: [{ rate: 200, accrual_period: 'DAILY', valid_from: '2026-02-01' }] } })
    assert.equal(patched.status, 200)
    assert.equal(patched.body.rates[0].rate, 200)
    assert.equal(patched.body.calculation_method, 'COMPOUNDED_DAILY')
  })

  it('keeps only the properties a product and its rates declare, on create and on patch', async () => {
    // The spec's request schemas leave room for undeclared properties; an answer has none.
    const made = await h.request('POST', '/v0/accounts/products', { body: { ...interest, note: 'mine', rates: [{ ...interest.rates[0], note: 'mine' }] } })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    assert.deepEqual(made.body.rates, interest.rates)
    assert.equal('note' in made.body, false)
    const patched = await h.request('PATCH', `/v0/accounts/products/${made.body.id}`, { body: { product_type: 'INTEREST', rates: [{ rate: 200, accrual_period: 'DAILY', valid_from: '2026-02-01', extra: { deep: true } }] } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.deepEqual(patched.body.rates, [{ rate: 200, accrual_period: 'DAILY', valid_from: '2026-02-01' }])
    const [read] = (await h.request('GET', `/v0/accounts/products?product_type=INTEREST&id=${made.body.id}`)).body.account_products
    assert.deepEqual(read, patched.body)
  })

  it('refuses inconsistent products', async () => {
    const bad: Record<string, unknown>[] = [
      { ...interest, rates: [] },
      { ...interest, rates: [{ rate: 1, accrual_period: 'DAILY', valid_from: '2026-02-01', valid_to: '2026-01-01' }] },
      { ...interest, rates: [{ rate: 1, accrual_period: 'DAILY', valid_from: '2026-01-01' }, { rate: 2, accrual_period: 'DAILY', valid_from: '2026-03-01' }] },
      { ...interest, rates: [{ rate: 1, accrual_period: 'DAILY', valid_from: '2026-01-01', valid_to: '2026-03-02' }, { rate: 2, accrual_period: 'DAILY', valid_from: '2026-03-01' }] },
      { ...fee, amount: -1 },
      { ...fee, amount: 2 ** 60 },
      { product_type: 'FEE', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: [] },
      { ...fee, currency: 'usd' },
    ]
    for (const body of bad) {
      const res = await h.request('POST', '/v0/accounts/products', { body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
    }
    const res = await h.request('PATCH', `/v0/accounts/products/${uuidv7()}`, { body: { product_type: 'INTEREST' } })
    assert.equal(res.status, 404)
  })

  it('takes back-to-back rate periods: valid_to is exclusive, so one may end the day the next starts', async () => {
    const res = await h.request('POST', '/v0/accounts/products', {
      body: { ...interest, rates: [{ rate: 100, accrual_period: 'DAILY', valid_from: '2026-01-01', valid_to: '2026-03-01' }, { rate: 150, accrual_period: 'DAILY', valid_from: '2026-03-01' }] },
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual(res.body.rates.map((r: any) => r.rate), [100, 150])
  })
})

describe('account templates', () => {
  it('creates, reads, replaces, lists by type and deletes', async () => {
    const t = await createTemplate(h, { overdraft_limit: 100 })
    assert.equal(t.template.overdraft_limit, 100)
    const put = await h.request('PUT', `/v0/accounts/templates/${t.id}`, { body: templateBody({ name: 'Savings' }, { account_type: 'SAVING' }) })
    assert.equal(put.status, 200)
    assert.equal(put.body.template.account_type, 'SAVING')
    const list = await h.request('GET', '/v0/accounts/templates?account_type=SAVING')
    assert.ok(list.body.account_templates.some((x: any) => x.id === t.id))
    assert.equal((await h.request('GET', `/v0/accounts/templates/${t.id}`)).body.name, 'Savings')
    const del = await h.request('DELETE', `/v0/accounts/templates/${t.id}`)
    assert.equal(del.status, 200)
    assert.equal((await h.request('GET', `/v0/accounts/templates/${t.id}`)).status, 404)
  })

  it('refuses unknown products and a floor above the ceiling', async () => {
    for (const template of [{ interest_product_id: uuidv7() }, { fee_product_ids: [uuidv7()] }, { balance_floor: { balance: 10 }, balance_ceiling: { balance: 5 } }]) {
      const res = await h.request('POST', '/v0/accounts/templates', { body: templateBody({}, template) })
      assert.equal(res.status, 400, JSON.stringify(template))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
    }
  })
})

describe('accounts', () => {
  it('opens from a template with request fields overriding, numbered uniquely, with ledger balances', async () => {
    const holder = await createVerifiedBusiness(h)
    const product = (await h.request('POST', '/v0/accounts/products', { body: fee })).body
    const template = await createTemplate(h, { overdraft_limit: 100, fee_product_ids: [product.id] })
    const res = await h.request('POST', '/v0/accounts', {
      body: { account_template_id: template.id, nickname: 'ops', overdraft_limit: 250, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: holder.id }] },
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const a = res.body
    assert.equal(a.overdraft_limit, 250)
    assert.deepEqual(a.fee_product_ids, [product.id])
    assert.equal(a.account_type, 'CHECKING')
    assert.equal(a.status, 'ACTIVE_OR_DISBURSED')
    assert.equal(a.customer_type, 'BUSINESS')
    assert.deepEqual(a.business_ids, [holder.id])
    assert.match(a.account_number, /^[1-9]\d{11}$/)
    assert.equal(a.account_number_masked.slice(-4), a.account_number.slice(-4))
    assert.match(a.bank_routing, /^\d{9}$/)
    assert.equal(balanceOf(a, 'ACCOUNT_BALANCE'), 0)
    assert.equal(balanceOf(a, 'AVAILABLE_BALANCE'), 0)
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from events where resource_id = ${a.id} and type = 'ACCOUNT.CREATED'`
    assert.equal(n, 1)
    const other = await openAccount(h)
    assert.notEqual(other.account_number, a.account_number)
  })

  it('refuses bad openings', async () => {
    const holder = await createVerifiedBusiness(h)
    const template = await createTemplate(h)
    const disabled = (await h.request('POST', '/v0/accounts/templates', { body: templateBody({ is_enabled: false }) })).body
    const rel = [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: holder.id }]
    const cases: [Record<string, unknown>, number, string][] = [
      [{ relationships: rel }, 400, 'BAD_REQUEST_BODY'],
      [{ account_template_id: uuidv7(), relationships: rel }, 400, 'BAD_REQUEST_BODY'],
      [{ account_template_id: disabled.id, relationships: rel }, 422, 'BAD_CONFIGURATION'],
      [{ account_template_id: template.id }, 400, 'BAD_REQUEST_BODY'],
      [{ account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: uuidv7() }] }, 400, 'BUSINESS_NOT_FOUND'],
      [{ account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', person_id: uuidv7() }] }, 400, 'CUSTOMER_NOT_FOUND'],
      [{ account_template_id: template.id, relationships: [...rel, ...rel] }, 400, 'BAD_REQUEST_BODY'],
      [{ account_template_id: template.id, relationships: rel, status: 'CLOSED' }, 422, 'INVALID_STATUS'],
      [{ account_template_id: template.id, relationships: rel, interest_product_id: uuidv7() }, 400, 'BAD_REQUEST_BODY'],
      [{ account_template_id: template.id, relationships: rel, overdraft_limit: 2 ** 60 }, 400, 'BAD_REQUEST_BODY'],
      [{ account_template_id: template.id, relationships: rel, balance_floor: { balance: -(2 ** 60) } }, 400, 'BAD_REQUEST_BODY'],
    ]
    const [{ before }] = await h.sql<{ before: number }[]>`select count(*)::int as before from accounts`
    for (const [body, status, code] of cases) {
      const res = await h.request('POST', '/v0/accounts', { body })
      assert.equal(res.status, status, JSON.stringify(body))
      assert.equal(res.body.code, code, JSON.stringify(body))
    }
    const [{ after: n }] = await h.sql<{ after: number }[]>`select count(*)::int as after from accounts`
    assert.equal(n, before)
  })

  it('takes a manual account number once per workspace', async () => {
    const a = await openAccount(h, { manual_account_number: '1234567890' })
    assert.equal(a.account_number, '1234567890')
    const holder = await createVerifiedBusiness(h)
    const template = await createTemplate(h)
    const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, manual_account_number: '1234567890', relationships: [{ relationship_type: 'ACCOUNT_HOLDER', business_id: holder.id }] } })
    assert.equal(res.status, 409)
    assert.equal(res.body.code, 'DUPLICATE_RESOURCE')
    assert.equal((await openAccount(h, { manual_account_number: '1234567890' }, h.keys.b)).account_number, '1234567890')
  })

  it('patches terms and enforces status rules', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    await transfer(h, { amount: 100, originating_account_id: funding.id, receiving_account_id: a.id })
    const nick = await h.request('PATCH', `/v0/accounts/${a.id}`, { body: { nickname: 'rainy day' } })
    assert.equal(nick.body.nickname, 'rainy day')
    const [{ changed }] = await h.sql<{ changed: any }[]>`select changed_fields as changed from events where resource_id = ${a.id} and type = 'ACCOUNT.UPDATED' order by id desc limit 1`
    assert.ok('nickname' in changed)
    // A limit the current balance breaks is refused; so is closing with money in it.
    for (const [body, code] of [[{ balance_ceiling: { balance: 50 } }, 'BALANCE_VIOLATION'], [{ balance_floor: { balance: 101 } }, 'BALANCE_VIOLATION'], [{ status: 'CLOSED' }, 'BALANCE_VIOLATION'], [{ currency: 'EUR' }, 'BAD_REQUEST_BODY']] as const) {
      const res = await h.request('PATCH', `/v0/accounts/${a.id}`, { body })
      assert.equal(res.body.code, code, JSON.stringify(body))
    }
    await transfer(h, { amount: 100, originating_account_id: a.id, receiving_account_id: funding.id })
    const closed = await h.request('PATCH', `/v0/accounts/${a.id}`, { body: { status: 'CLOSED' } })
    assert.equal(closed.body.status, 'CLOSED')
    const reopen = await h.request('PATCH', `/v0/accounts/${a.id}`, { body: { status: 'ACTIVE_OR_DISBURSED' } })
    // The spec's 461 "Account has been closed" for these paths, with the catalogue's code (closed-accounts.test.ts).
    assert.equal(reopen.status, 461)
    assert.equal(reopen.body.code, 'ACCOUNT_CLOSED')
    const put = await h.request('PUT', `/v0/accounts/${a.id}`, { body: { nickname: 'archived' } })
    assert.equal(put.status, 200)
    assert.equal((await h.request('PATCH', `/v0/accounts/${uuidv7()}`, { body: { nickname: 'x' } })).status, 404)
  })

  it('closes through initiate_closure, sweeping the balance to a destination', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const b = await openAccount(h)
    await transfer(h, { amount: 70, originating_account_id: funding.id, receiving_account_id: a.id })
    const res = await h.request('POST', `/v0/accounts/${a.id}/initiate_closure`, {
      body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'moving', payment_method: 'INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT', destination_id: b.id },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.status, 'CLOSED')
    assert.deepEqual(await balances(h, b.id), { posted: 70, available: 70 })
    // The sweep is a posted transaction like any other: it is listed and has its event.
    const swept = await h.request('GET', `/v0/transactions/posted?account_id=${b.id}&dc_sign=credit&subtype=ACCOUNT_CLOSURE`)
    assert.equal(swept.body.result.length, 1, JSON.stringify(swept.body))
    const events = await h.sql<{ type: string }[]>`select type from events where resource_id = ${swept.body.result[0].uuid}`
    assert.deepEqual(events.map((e) => e.type), ['TRANSACTION.POSTED.CREATED'])
    const c = await openAccount(h)
    await transfer(h, { amount: 5, originating_account_id: funding.id, receiving_account_id: c.id })
    const pending = await h.request('POST', `/v0/accounts/${c.id}/initiate_closure`, { body: { reason: 'BANK_REQUEST_INACTIVITY', reason_details: 'idle', payment_method: 'ACH', destination_id: null } })
    assert.equal(pending.body.status, 'IN_CLOSING')
  })

  it('lists with filters, GENERAL_LEDGER only on request', async () => {
    const holder = await createVerifiedBusiness(h)
    const template = await createTemplate(h)
    const mine = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, nickname: 'filter-me', relationships: [{ relationship_type: 'ACCOUNT_HOLDER', business_id: holder.id }] } })
    const byBusiness = await h.request('GET', `/v0/accounts?business_id=${holder.id}`)
    assert.deepEqual(byBusiness.body.accounts.map((a: any) => a.id), [mine.body.id])
    const byNumber = await h.request('GET', `/v0/accounts?account_number=${mine.body.account_number}`)
    assert.deepEqual(byNumber.body.accounts.map((a: any) => a.id), [mine.body.id])
    assert.equal((await h.request('GET', '/v0/accounts?nickname=filter-me')).body.accounts.length, 1)
    assert.equal((await h.request('GET', '/v0/accounts?status=CLOSED,SUSPENDED&nickname=filter-me')).body.accounts.length, 0)
    const page = await h.request('GET', '/v0/accounts?limit=1')
    assert.equal(page.body.accounts.length, 1)
    assert.ok(page.body.next_page_token)
    assert.equal((await h.request('GET', '/v0/accounts?status=NOPE')).status, 400)
    assert.equal((await h.request('GET', `/v0/accounts/${mine.body.id}`, { key: h.keys.b })).status, 404)
    assert.deepEqual((await h.request('GET', '/v0/accounts/stop_payments')).body, { stop_payments: [] })
  })

  it('sorts by account number and type across pages, and matches * wildcards', async () => {
    const ws = await h.newWorkspace('sorting', 'sandbox')
    for (const n of ['5550000003', '5550000001', '5550000002', '6660000001']) await openAccount(h, { manual_account_number: n }, ws.key)
    const seen: string[] = []
    let token: string | undefined
    do {
      const res = await h.request('GET', `/v0/accounts?sort_by=account_number:desc&limit=1${token ? `&page_token=${token}` : ''}`, { key: ws.key })
      assert.equal(res.status, 200)
      seen.push(...res.body.accounts.map((a: any) => a.account_number))
      token = res.body.next_page_token
    } while (token)
    assert.deepEqual(seen, ['6660000001', '5550000003', '5550000002', '5550000001'])
    const wild = await h.request('GET', '/v0/accounts?account_number=555*&sort_by=account_number:asc', { key: ws.key })
    assert.deepEqual(wild.body.accounts.map((a: any) => a.account_number), ['5550000001', '5550000002', '5550000003'])
    const twice = await h.request('GET', '/v0/accounts?sort_by=account_number:asc,account_number:desc', { key: ws.key })
    assert.deepEqual([twice.status, twice.body.code], [400, 'BAD_QUERY_PARAMETER'])
    const floorLinked = await openAccount(h, { balance_floor: { balance: 0, linked_account_id: wild.body.accounts[0].id } }, ws.key)
    const linked = await h.request('GET', `/v0/accounts?linked_account_id=${wild.body.accounts[0].id}`, { key: ws.key })
    assert.deepEqual(linked.body.accounts.map((a: any) => a.id), [floorLinked.id])
  })
})

describe('account relationships', () => {
  it('adds, changes and removes holders and signers', async () => {
    const a = await openAccount(h)
    const joint = await createVerifiedBusiness(h)
    const add = await h.request('POST', `/v0/accounts/${a.id}/relationships`, { body: { relationship_type: 'JOINT_ACCOUNT_HOLDER', business_id: joint.id } })
    assert.equal(add.status, 201, JSON.stringify(add.body))
    assert.ok((await h.request('GET', `/v0/accounts/${a.id}`)).body.business_ids.includes(joint.id))
    const second = await h.request('POST', `/v0/accounts/${a.id}/relationships`, { body: { relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: joint.id } })
    assert.equal(second.status, 400)
    const put = await h.request('PUT', `/v0/accounts/${a.id}/relationships/${add.body.id}`, { body: { relationship_type: 'AUTHORIZED_SIGNER', business_id: joint.id } })
    assert.equal(put.body.relationship_type, 'AUTHORIZED_SIGNER')
    const list = await h.request('GET', `/v0/accounts/${a.id}/relationships`)
    assert.equal(list.body.relationships.length, 2)
    assert.equal((await h.request('GET', `/v0/accounts/${a.id}/relationships/${add.body.id}`)).body.id, add.body.id)
    assert.equal((await h.request('DELETE', `/v0/accounts/${a.id}/relationships/${add.body.id}`)).status, 200)
    assert.equal((await h.request('GET', `/v0/accounts/${a.id}/relationships/${add.body.id}`)).status, 404)
    const missing = await h.request('POST', `/v0/accounts/${a.id}/relationships`, { body: { relationship_type: 'AUTHORIZED_USER', business_id: uuidv7() } })
    assert.equal(missing.body.code, 'BUSINESS_NOT_FOUND')
  })

  it('opens a personal account with a joint holder, both in customer_ids', async () => {
    const [ada, bob] = [await createVerifiedPerson(h), await createVerifiedPerson(h)]
    const template = await createTemplate(h)
    const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [
      { relationship_type: 'PRIMARY_ACCOUNT_HOLDER', customer_id: ada.id }, { relationship_type: 'JOINT_ACCOUNT_HOLDER', person_id: bob.id }] } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.customer_type, 'PERSONAL')
    assert.deepEqual([...res.body.customer_ids].sort(), [ada.id, bob.id].sort())
    const byPerson = await h.request('GET', `/v0/accounts?person_id=${bob.id}`)
    assert.deepEqual(byPerson.body.accounts.map((x: any) => x.id), [res.body.id])
  })
})

describe('internal accounts', () => {
  it('every sandbox workspace has a funded New Funding Account; live ones do not', async () => {
    const funding = await fundingAccount(h)
    assert.equal(funding.account_type, 'NEW_FUNDING_ACCOUNT')
    assert.ok(funding.balances.find((b: any) => b.type === 'AVAILABLE_BALANCE').balance > 0)
    const again = await fundingAccount(h)
    assert.equal(again.id, funding.id)
    const live = await h.request('GET', '/v0/internal_accounts', { key: h.keys.live })
    assert.deepEqual(live.body.internal_accounts, [])
  })

  it('creates and patches the fintech’s own accounts, which start empty', async () => {
    const res = await h.request('POST', '/v0/internal_accounts', { body: { currency: 'USD', status: 'ACTIVE', account_type: 'FEES', description: 'fees' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.balances[0].balance, 0)
    const patched = await h.request('PATCH', `/v0/internal_accounts/${res.body.id}`, { body: { description: 'fee income' } })
    assert.equal(patched.body.description, 'fee income')
    const fromEmpty = await transfer(h, { amount: 1, originating_account_id: res.body.id, receiving_account_id: (await openAccount(h)).id })
    assert.equal(fromEmpty.body.code, 'INSUFFICIENT_FUNDS')
    assert.equal((await h.request('GET', `/v0/internal_accounts/${uuidv7()}`)).status, 404)
  })

  it('after a wipe the funding account comes back, funded, with the same id', async () => {
    const ws = await h.newWorkspace('wipe-me', 'sandbox')
    const funding = await fundingAccount(h, ws.key)
    const a = await openAccount(h, {}, ws.key)
    assert.equal((await transfer(h, { amount: 10, originating_account_id: funding.id, receiving_account_id: a.id }, { key: ws.key })).status, 200)
    assert.equal((await h.request('POST', '/v0/wipe', { key: ws.key })).status, 204)
    assert.equal((await h.request('GET', `/v0/accounts/${a.id}`, { key: ws.key })).status, 404)
    const b = await openAccount(h, {}, ws.key)
    // The first use after the wipe is a transfer naming the remembered id.
    const res = await transfer(h, { amount: 10, originating_account_id: funding.id, receiving_account_id: b.id }, { key: ws.key })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const after = await fundingAccount(h, ws.key)
    assert.equal(after.id, funding.id)
    assert.equal(after.balances[0].balance, funding.balances[0].balance - 10)
  })
})
