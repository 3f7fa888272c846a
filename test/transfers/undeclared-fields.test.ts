// Internal transfers accept fields the spec does not declare and ignore them: they are not stored,
// so no view of the transfer shows them.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { conformance } from '../support/conformance.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

/** The operation's success body checked closed. */
function strictly(operation: string, method: string, url: string, body: unknown): void {
  const op = Object.values<any>(conformance().spec.paths).flatMap((item) => Object.values<any>(item)).find((o) => o?.operationId === operation)
  assert.ok(op, operation)
  const schema = (Object.entries<any>(op.responses).find(([s]) => s.startsWith('2'))![1]).content['application/json'].schema
  assert.ok(conformance().conforms(schema, body), `${operation} (${method} ${url}) shows undeclared properties: ${JSON.stringify(body).slice(0, 400)}`)
}

describe('internal transfers and undeclared fields', () => {
  for (const operation of ['createInternalTransfer', 'getInternalTransferByID', 'updateInternalTransferByID']) {
    it(`${operation} shows no undeclared field`, async () => {
      const funding = await fundingAccount(h)
      const account = await openAccount(h)
      const res = await transfer(h, { amount: 100, originating_account_id: funding.id, receiving_account_id: account.id, capture_mode: 'MANUAL', favourite_colour: 'teal' })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      if (operation === 'createInternalTransfer') strictly(operation, 'POST', '/v0/transactions/internal_transfer', res.body)
      if (operation === 'getInternalTransferByID') strictly(operation, 'GET', '/v0/transactions/internal_transfer/{id}', (await h.request('GET', `/v0/transactions/internal_transfer/${res.body.id}`)).body)
      if (operation === 'updateInternalTransferByID') {
        const done = await h.request('PATCH', `/v0/transactions/internal_transfer/${res.body.id}`, { body: { status: 'COMPLETE' } })
        assert.equal(done.status, 200, JSON.stringify(done.body))
        strictly(operation, 'PATCH', '/v0/transactions/internal_transfer/{id}', done.body)
      }
    })
  }

  it('the pending views show no undeclared field', async () => {
    const funding = await fundingAccount(h)
    const account = await openAccount(h)
    const held = await transfer(h, { amount: 100, originating_account_id: funding.id, receiving_account_id: account.id, capture_mode: 'MANUAL', favourite_colour: 'teal' })
    assert.equal(held.status, 200, JSON.stringify(held.body))
    const list = await h.request('GET', `/v0/transactions/pending?account_id=${funding.id}`)
    assert.ok(list.body.result.some((t: any) => t.id === held.body.id || t.uuid === held.body.id), JSON.stringify(list.body).slice(0, 300))
    strictly('listPendingTransactions', 'GET', '/v0/transactions/pending', list.body)
    const one = await h.request('GET', `/v0/transactions/pending/${held.body.id}`)
    assert.equal(one.status, 200)
    strictly('getPendingTransactionByID', 'GET', '/v0/transactions/pending/{id}', one.body)
  })

  it('the posted views show no undeclared field, for a transfer and for a closure sweep', async () => {
    const funding = await fundingAccount(h)
    const account = await openAccount(h)
    const res = await transfer(h, { amount: 100, originating_account_id: funding.id, receiving_account_id: account.id, favourite_colour: 'teal' })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const closed = await h.request('POST', `/v0/accounts/${account.id}/initiate_closure`, { body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'moving', payment_method: 'INTERNAL_TRANSFER_TO_INTERNAL_ACCOUNT', destination_id: funding.id } })
    assert.equal(closed.status, 200, JSON.stringify(closed.body))
    const list = await h.request('GET', `/v0/transactions/posted?account_id=${account.id}`)
    assert.equal(list.body.result.length, 2)
    strictly('listPostedTransactions', 'GET', '/v0/transactions/posted', list.body)
    for (const t of list.body.result) {
      const one = await h.request('GET', `/v0/transactions/posted/${t.uuid}`)
      assert.equal(one.status, 200)
      strictly('getPostedTransactionByID', 'GET', '/v0/transactions/posted/{id}', one.body)
    }
  })
})
