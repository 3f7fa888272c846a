// Every way the spec lets an internal transfer name its accounts (id, alias, customer id), and the
// live-mode gate on money movement (PARTNER_NOT_VERIFIED until the fintech's own KYB has passed).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { setPartnerVerified } from '../../src/platform/workspaces.js'
import { assertBooksClean, balances, createTemplate, fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createPerson, createVerifiedBusiness, createVerifiedPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  await assertBooksClean(h)
  await h.close()
})

/** An account held by `holder` ({customer_id} or {business_id}) in `currency`. */
async function openFor(holder: Record<string, string>, options: { currency?: string; relationship?: string; key?: string; terms?: Record<string, unknown> } = {}): Promise<any> {
  const template = await createTemplate(h, { currency: options.currency ?? 'USD' }, options.key)
  const res = await h.request('POST', '/v0/accounts', {
    key: options.key,
    body: { account_template_id: template.id, relationships: [{ relationship_type: options.relationship ?? 'PRIMARY_ACCOUNT_HOLDER', ...holder }], ...options.terms },
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

async function internalAccount(account_type: string, currency = 'USD', key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/internal_accounts', { key, body: { currency, status: 'ACTIVE', account_type } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

/** Everything a transfer could change in a workspace: a rejected one must leave it all as it was. */
async function snapshot(workspaceId: string): Promise<unknown> {
  const [counts] = await h.sql`
    select (select count(*)::int from ledger_transfers where workspace_id = ${workspaceId}) as transfers,
           (select count(*)::int from ledger_entries where workspace_id = ${workspaceId}) as entries,
           (select count(*)::int from ledger_holds where workspace_id = ${workspaceId}) as holds,
           (select count(*)::int from events where workspace_id = ${workspaceId}) as events,
           (select count(*)::int from idempotency_keys where workspace_id = ${workspaceId}) as idempotency_keys`
  const accounts = await h.sql`select id, status, posted::text, held::text from ledger_accounts where workspace_id = ${workspaceId} order by id`
  return { ...counts, accounts: accounts.map((a) => ({ ...a })) }
}

type Case = [name: string, body: Record<string, unknown>, status: number, code: string]

/** Each case answers its status and code, and changes nothing. */
async function expectRejections(cases: Case[], workspaceId = h.workspaces.a, key?: string): Promise<void> {
  for (const [name, body, status, code] of cases) {
    const before = await snapshot(workspaceId)
    const res = await transfer(h, body, { key, headers: { 'idempotency-key': uuidv7() } })
    assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`)
    assert.equal(res.body.code, code, `${name}: ${JSON.stringify(res.body)}`)
    assert.ok(res.body.detail.length > 0, name)
    assert.deepEqual(await snapshot(workspaceId), before, `${name} changed nothing`)
  }
}

describe('accounts named by alias', () => {
  it('the sandbox funding account answers to new_funding_account, even before its first use', async () => {
    const fresh = await h.newWorkspace('aliases-fresh', 'sandbox')
    const account = await openAccount(h, {}, fresh.key)
    const res = await transfer(h, { amount: 1025, originating_account_alias: 'new_funding_account', receiving_account_id: account.id }, { key: fresh.key })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const funding = await fundingAccount(h, fresh.key)
    assert.equal(res.body.originating_account_id, funding.id)
    assert.equal(res.body.originating_account_alias, 'new_funding_account', 'the request as sent is shown back')
    assert.equal(res.body.status, 'COMPLETE')
    assert.deepEqual(await balances(h, account.id, fresh.key), { posted: 1025, available: 1025 })
    const got = await h.request('GET', `/v0/transactions/internal_transfer/${res.body.id}`, { key: fresh.key })
    assert.deepEqual(got.body, res.body)
  })

  it('names the internal account of that account_type in the transfer currency, in any case', async () => {
    const funding = await fundingAccount(h)
    const suspense = await internalAccount('ACH_SUSPENSE')
    const account = await openAccount(h)
    const credited = await transfer(h, { amount: 500, originating_account_id: funding.id, receiving_account_alias: 'ach_suspense' })
    assert.equal(credited.status, 200, JSON.stringify(credited.body))
    assert.equal(credited.body.receiving_account_id, suspense.id)
    const debited = await transfer(h, { amount: 200, originating_account_alias: 'ACH_Suspense', receiving_account_id: account.id, capture_mode: 'MANUAL' })
    assert.equal(debited.status, 200, JSON.stringify(debited.body))
    assert.equal(debited.body.originating_account_id, suspense.id)
    assert.equal(debited.body.status, 'PENDING')
    assert.equal((await h.request('PATCH', `/v0/transactions/internal_transfer/${debited.body.id}`, { body: { status: 'COMPLETE' } })).status, 200)
    const after = (await h.request('GET', `/v0/internal_accounts/${suspense.id}`)).body
    assert.equal(after.balances.find((b: any) => b.type === 'ACCOUNT_BALANCE').balance, 300)
    assert.deepEqual(await balances(h, account.id), { posted: 200, available: 200 })
    // An alias with the id of the same account is one name said twice.
    const both = await transfer(h, { amount: 1, originating_account_alias: 'ach_suspense', originating_account_id: suspense.id, receiving_account_id: account.id })
    assert.equal(both.status, 200, JSON.stringify(both.body))
    assert.equal(both.body.originating_account_id, suspense.id)
  })

  it('answers no match, an unknown alias, an ambiguous alias and a contradiction with clear errors, changing nothing', async () => {
    const funding = await fundingAccount(h)
    const account = await openAccount(h)
    const [settlementOne, settlementTwo] = [await internalAccount('ACH_SETTLEMENT'), await internalAccount('ACH_SETTLEMENT')]
    await internalAccount('FEES', 'EUR')
    const wire = await internalAccount('WIRE_SUSPENSE')
    await expectRejections([
      ['no internal account of that type', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'cash_suspense' }, 400, 'ACCOUNT_NOT_FOUND'],
      ['one of that type, in another currency', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'fees' }, 400, 'ACCOUNT_NOT_FOUND'],
      ['not an internal account type', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'savings' }, 400, 'BAD_REQUEST_BODY'],
      ['two accounts of that type', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'ach_settlement' }, 400, 'BAD_REQUEST_BODY'],
      ['alias and id name different accounts', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'wire_suspense', receiving_account_id: account.id }, 400, 'BAD_REQUEST_BODY'],
      ['alias and id, the alias naming nothing', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'cash_suspense', receiving_account_id: wire.id }, 400, 'ACCOUNT_NOT_FOUND'],
      ['alias with a customer id', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'wire_suspense', receiving_account_customer_id: uuidv7() }, 400, 'BAD_REQUEST_BODY'],
      ['both sides the same account', { amount: 1, originating_account_alias: 'wire_suspense', receiving_account_id: wire.id }, 400, 'BAD_REQUEST_BODY'],
      ['neither side named', { amount: 1, receiving_account_alias: 'wire_suspense' }, 400, 'BAD_REQUEST_BODY'],
    ])
    const missing = await transfer(h, { amount: 1, receiving_account_alias: 'wire_suspense' })
    assert.deepEqual(missing.body.missing, ['originating_account_id'])
    const ambiguous = await transfer(h, { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'ach_settlement' })
    assert.match(ambiguous.body.detail, /matches 2 internal accounts/)
    const elsewhere = await transfer(h, { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'fees' })
    assert.match(elsewhere.body.detail, /in USD \(found in EUR\)/)
    // The id settles which of an ambiguous alias's accounts is meant.
    const settled = await transfer(h, { amount: 7, originating_account_id: funding.id, receiving_account_alias: 'ach_settlement', receiving_account_id: settlementTwo.id })
    assert.equal(settled.status, 200, JSON.stringify(settled.body))
    assert.equal(settled.body.receiving_account_id, settlementTwo.id)
    assert.notEqual(settled.body.receiving_account_id, settlementOne.id)
  })

  it('cannot reach another workspace’s internal accounts', async () => {
    await internalAccount('CASH_SETTLEMENT', 'USD', h.keys.b)
    const funding = await fundingAccount(h)
    await expectRejections([['the alias exists only in workspace b', { amount: 1, originating_account_id: funding.id, receiving_account_alias: 'cash_settlement' }, 400, 'ACCOUNT_NOT_FOUND']])
  })
})

describe('accounts named by customer id', () => {
  it('resolves the one open account in the currency the customer holds, person or business', async () => {
    const funding = await fundingAccount(h)
    const person = await createVerifiedPerson(h)
    const closed = await openFor({ customer_id: person.id })
    assert.equal((await h.request('PATCH', `/v0/accounts/${closed.id}`, { body: { status: 'CLOSED' } })).status, 200)
    await openFor({ customer_id: person.id }, { currency: 'EUR' })
    const open = await openFor({ customer_id: person.id })
    const res = await transfer(h, { amount: 300, originating_account_id: funding.id, receiving_account_customer_id: person.id })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.receiving_account_id, open.id, 'the closed and the EUR accounts do not count')
    assert.equal(res.body.receiving_account_customer_id, person.id)
    assert.deepEqual(await balances(h, open.id), { posted: 300, available: 300 })

    const business = await createVerifiedBusiness(h)
    const owned = await openFor({ business_id: business.id })
    const back = await transfer(h, { amount: 100, originating_account_customer_id: person.id, receiving_account_customer_id: business.id })
    assert.equal(back.status, 200, JSON.stringify(back.body))
    assert.deepEqual([back.body.originating_account_id, back.body.receiving_account_id], [open.id, owned.id])
    // With an account id, the customer must hold that account.
    const checked = await transfer(h, { amount: 50, originating_account_id: owned.id, originating_account_customer_id: business.id, receiving_account_id: open.id, receiving_account_customer_id: person.id })
    assert.equal(checked.status, 200, JSON.stringify(checked.body))
    assert.deepEqual(await balances(h, owned.id), { posted: 50, available: 50 })
    assert.deepEqual(await balances(h, open.id), { posted: 250, available: 250 })
  })

  it('answers an unknown customer, a stranger to the account and an unresolvable owner with clear errors, changing nothing', async () => {
    const funding = await fundingAccount(h)
    const owner = await createVerifiedPerson(h)
    const account = await openFor({ customer_id: owner.id })
    const stranger = await createVerifiedPerson(h)
    const twoAccounts = await createVerifiedPerson(h)
    await openFor({ customer_id: twoAccounts.id })
    await openFor({ customer_id: twoAccounts.id })
    const noAccounts = await createPerson(h)
    // An authorized signer is not the account's owner.
    const signer = await createVerifiedPerson(h)
    const signed = await openFor({ customer_id: (await createVerifiedPerson(h)).id })
    assert.equal((await h.request('POST', `/v0/accounts/${signed.id}/relationships`, { body: { relationship_type: 'AUTHORIZED_SIGNER', customer_id: signer.id } })).status, 201)
    const otherWorkspaceCustomer = await createPerson(h, {}, h.keys.b)
    await expectRejections([
      ['unknown customer', { amount: 1, originating_account_id: funding.id, receiving_account_customer_id: uuidv7() }, 400, 'CUSTOMER_NOT_FOUND'],
      ['another workspace’s customer', { amount: 1, originating_account_id: funding.id, receiving_account_customer_id: otherWorkspaceCustomer.id }, 400, 'CUSTOMER_NOT_FOUND'],
      ['customer who does not hold the account', { amount: 1, originating_account_id: funding.id, receiving_account_id: account.id, receiving_account_customer_id: stranger.id }, 422, 'IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP'],
      ['an authorized signer is not a holder', { amount: 1, originating_account_id: funding.id, receiving_account_id: signed.id, receiving_account_customer_id: signer.id }, 422, 'IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP'],
      ['customer id with an internal account', { amount: 1, originating_account_id: funding.id, originating_account_customer_id: owner.id, receiving_account_id: account.id }, 422, 'IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP'],
      ['customer id with an unknown account', { amount: 1, originating_account_id: funding.id, receiving_account_id: uuidv7(), receiving_account_customer_id: owner.id }, 400, 'ACCOUNT_NOT_FOUND'],
      ['customer with two open accounts', { amount: 1, originating_account_id: funding.id, receiving_account_customer_id: twoAccounts.id }, 400, 'BAD_REQUEST_BODY'],
      ['customer with no account', { amount: 1, originating_account_id: funding.id, receiving_account_customer_id: noAccounts.id }, 400, 'BAD_REQUEST_BODY'],
      ['signer only: no account of their own', { amount: 1, originating_account_id: funding.id, receiving_account_customer_id: signer.id }, 400, 'BAD_REQUEST_BODY'],
      ['customer with no account in the currency', { amount: 1, currency: 'EUR', originating_account_id: funding.id, receiving_account_customer_id: owner.id }, 400, 'BAD_REQUEST_BODY'],
      ['both sides the same customer account', { amount: 1, originating_account_id: account.id, receiving_account_customer_id: owner.id, receiving_account_id: account.id }, 400, 'BAD_REQUEST_BODY'],
      ['customer resolves to the other side’s account', { amount: 1, originating_account_id: account.id, receiving_account_customer_id: owner.id }, 400, 'BAD_REQUEST_BODY'],
    ])
    const two = await transfer(h, { amount: 1, originating_account_id: funding.id, receiving_account_customer_id: twoAccounts.id })
    assert.match(two.body.detail, /holds 2 open USD accounts; name the account by receiving_account_id/)
    const none = await transfer(h, { amount: 1, originating_account_id: funding.id, receiving_account_customer_id: noAccounts.id })
    assert.match(none.body.detail, /holds no open USD account; name the account by receiving_account_id/)
  })

  it('ledger rules still apply to a resolved account, and a retry replays', async () => {
    const funding = await fundingAccount(h)
    const person = await createVerifiedPerson(h)
    const account = await openFor({ customer_id: person.id })
    await expectRejections([['insufficient funds', { amount: 10, originating_account_customer_id: person.id, receiving_account_id: funding.id }, 422, 'INSUFFICIENT_FUNDS']])
    const key = uuidv7()
    const body = { amount: 40, originating_account_alias: 'new_funding_account', receiving_account_customer_id: person.id }
    const first = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    // A second account makes the customer id ambiguous now; the retry is answered with what was done.
    await openFor({ customer_id: person.id })
    const again = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.equal(again.status, 200, JSON.stringify(again.body))
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    assert.deepEqual(await balances(h, account.id), { posted: 40, available: 40 })
    const fresh = await transfer(h, body, { headers: { 'idempotency-key': uuidv7() } })
    assert.deepEqual([fresh.status, fresh.body.code], [400, 'BAD_REQUEST_BODY'])
  })
})

describe('live workspaces move no money until the partner KYB has passed', () => {
  const live = () => ({ id: h.workspaces.live, key: h.keys.live })

  it('refuses transfers in every form, holds completion and a closure sweep; allows cancel and a closure that moves nothing', async () => {
    const { id, key } = live()
    await setPartnerVerified(h.sql, id, true)
    // Set up while passed: a funded account (by overdraft), a hold to complete later, a fee account.
    const source = await openAccount(h, { overdraft_limit: 10_000 }, key)
    const person = await createVerifiedPerson(h, {}, key)
    const target = await openFor({ customer_id: person.id }, { key })
    const fees = await internalAccount('FEES', 'USD', key)
    const held = await transfer(h, { amount: 100, capture_mode: 'MANUAL', originating_account_id: source.id, receiving_account_id: target.id }, { key })
    assert.equal(held.status, 200, JSON.stringify(held.body))
    const toCancel = await transfer(h, { amount: 50, capture_mode: 'MANUAL', originating_account_id: source.id, receiving_account_id: target.id }, { key })
    assert.equal(toCancel.status, 200, JSON.stringify(toCancel.body))
    const keyed = { amount: 500, originating_account_id: source.id, receiving_account_id: target.id }
    const keyedFirst = await transfer(h, keyed, { key, headers: { 'idempotency-key': 'before-revoke' } })
    assert.equal(keyedFirst.status, 200, JSON.stringify(keyedFirst.body))

    assert.deepEqual(await setPartnerVerified(h.sql, id, false).then((r) => r?.partner_verified_at), null)
    // A retry of a transfer made before the revocation is answered with what was done then.
    const retried = await transfer(h, keyed, { key, headers: { 'idempotency-key': 'before-revoke' } })
    assert.deepEqual([retried.status, retried.headers['idempotent-replayed'], retried.body], [200, 'true', keyedFirst.body])
    const reused = await transfer(h, { ...keyed, amount: 501 }, { key, headers: { 'idempotency-key': 'before-revoke' } })
    assert.deepEqual([reused.status, reused.body.code], [422, 'IDEMPOTENCY_INVALID_REUSE'])
    await expectRejections([
      ['by id', { amount: 1, originating_account_id: source.id, receiving_account_id: target.id }, 422, 'PARTNER_NOT_VERIFIED'],
      ['by alias', { amount: 1, originating_account_id: source.id, receiving_account_alias: 'fees' }, 422, 'PARTNER_NOT_VERIFIED'],
      ['by customer id', { amount: 1, originating_account_id: source.id, receiving_account_customer_id: person.id }, 422, 'PARTNER_NOT_VERIFIED'],
      ['MANUAL', { amount: 1, capture_mode: 'MANUAL', originating_account_id: source.id, receiving_account_id: target.id }, 422, 'PARTNER_NOT_VERIFIED'],
      ['naming nothing that exists', { amount: 1, originating_account_id: uuidv7(), receiving_account_id: uuidv7() }, 422, 'PARTNER_NOT_VERIFIED'],
      // A malformed body is still a malformed body.
      ['a bad body first', { amount: 1, originating_account_id: source.id }, 400, 'BAD_REQUEST_BODY'],
    ], id, key)

    const before = await snapshot(id)
    const complete = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { key, body: { status: 'COMPLETE' } })
    assert.equal(complete.status, 422)
    assert.equal(complete.body.code, 'PARTNER_NOT_VERIFIED')
    const sweep = await h.request('POST', `/v0/accounts/${target.id}/initiate_closure`, { key, body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'moving', payment_method: 'INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT', destination_id: source.id } })
    assert.equal(sweep.status, 422)
    assert.equal(sweep.body.code, 'PARTNER_NOT_VERIFIED')
    assert.deepEqual(await snapshot(id), before, 'a refused completion or sweep changed nothing')
    assert.equal((await h.request('GET', `/v0/accounts/${target.id}`, { key })).body.status, 'ACTIVE_OR_DISBURSED')

    // Releasing a reservation moves no money; neither does closing an empty account.
    const canceled = await h.request('PATCH', `/v0/transactions/internal_transfer/${toCancel.body.id}`, { key, body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))
    const empty = await openFor({ customer_id: person.id }, { key })
    const closed = await h.request('POST', `/v0/accounts/${empty.id}/initiate_closure`, { key, body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'unused', payment_method: 'INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT', destination_id: source.id } })
    assert.equal(closed.status, 200, JSON.stringify(closed.body))
    assert.equal(closed.body.status, 'CLOSED')

    // Passed again: the same requests go through, with a key the refusal did not use up.
    await setPartnerVerified(h.sql, id, true)
    const keyReused = uuidv7()
    assert.equal((await transfer(h, { amount: 1, originating_account_id: source.id, receiving_account_alias: 'fees' }, { key, headers: { 'idempotency-key': keyReused } })).status, 200)
    assert.equal((await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { key, body: { status: 'COMPLETE' } })).status, 200)
    assert.deepEqual(await balances(h, target.id, key), { posted: 600, available: 600 })
    const swept = await h.request('POST', `/v0/accounts/${target.id}/initiate_closure`, { key, body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'moving', payment_method: 'INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT', destination_id: source.id } })
    assert.equal(swept.status, 200, JSON.stringify(swept.body))
    assert.equal(swept.body.status, 'CLOSED')
    const feesAfter = (await h.request('GET', `/v0/internal_accounts/${fees.id}`, { key })).body
    assert.equal(feesAfter.balances.find((b: any) => b.type === 'ACCOUNT_BALANCE').balance, 1)
  })

  it('a new live workspace starts unverified; sandbox workspaces are pre-passed and cannot be revoked', async () => {
    const fresh = await h.newWorkspace('live-fresh', 'live')
    const refused = await transfer(h, { amount: 1, originating_account_id: uuidv7(), receiving_account_id: uuidv7() }, { key: fresh.key })
    assert.equal(refused.body.code, 'PARTNER_NOT_VERIFIED')
    assert.equal(await setPartnerVerified(h.sql, h.workspaces.a, false), undefined)
    const sandbox = await transfer(h, { amount: 1, originating_account_id: uuidv7(), receiving_account_id: uuidv7() })
    assert.equal(sandbox.body.code, 'ACCOUNT_NOT_FOUND', 'a sandbox request reaches the ledger')
  })
})
