// The fintech's authorization gateway, called for real: a local HTTP receiver (loopback, which the
// outbound guard allows while Keel listens on loopback) gets each authorization signed with the
// workspace's webhook secret and answers approve, decline, partial, an error, or nothing.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { gatewayTimeoutMs } from '../../src/card-authorization/index.js'
import { verifySignature } from '../../src/webhooks/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { startReceiver, type Receiver } from '../webhooks/receiver.js'
import { products } from '../cards/support.js'
import { authorize, available, booksDiscrepancies, fundedCard, merchant } from './support.js'

let h: Harness
let receiver: Receiver
let secret: string
let gatewayId: string
before(async () => {
  h = await startHarness()
  receiver = await startReceiver()
  secret = (await h.request('POST', '/v0/webhook_secrets')).body.secret
  const p = await products(h)
  const gw = await h.request('POST', '/v0/cards/gateways', { body: { url: `${receiver.url}/decide`, card_products: [p.virtual.id], custom_headers: { 'x-api-key': 'k-123' } } })
  assert.equal(gw.status, 201, JSON.stringify(gw.body))
  gatewayId = gw.body.id
})
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await receiver.stop()
  await h.close()
})

const json = (status: number, body: unknown) => () => ({ status, body: JSON.stringify(body) })
const setStandin = async (enabled: boolean) => assert.equal((await h.request('PATCH', `/v0/cards/gateways/${gatewayId}`, { body: { standin: { enabled } } })).status, 200)

describe('the authorization gateway', () => {
  it('approves: the request is signed, carries the custom headers, and the hold is made', async () => {
    const { card, account } = await fundedCard(h, 5_000)
    receiver.answer = json(200, { decision: 'APPROVE' })
    const before = receiver.received.length
    const res = await authorize(h, card.id, 1_200)
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.transaction.state, 'PENDING')
    assert.deepEqual(await available(h, account.id), { posted: 5_000, available: 3_800 })
    const got = receiver.received[before]
    assert.equal(got.headers['x-api-key'], 'k-123')
    assert.ok(verifySignature({ header: got.headers['synctera-signature'] as string, timestamp: got.headers['request-timestamp'] as string, rawBody: got.raw, secrets: [secret], nowSeconds: Math.floor(Date.now() / 1000) }))
    assert.ok(!verifySignature({ header: got.headers['synctera-signature'] as string, timestamp: got.headers['request-timestamp'] as string, rawBody: got.raw, secrets: ['0'.repeat(64)], nowSeconds: Math.floor(Date.now() / 1000) }))
    assert.equal(got.body.card_id, card.id)
    assert.equal(got.body.amount, 1_200)
    assert.equal(got.body.card_acceptor.mcc, merchant.mcc)
  })

  it('declines (402, or a DECLINE decision): GATEWAY_DECLINED, nothing held', async () => {
    const { card, account } = await fundedCard(h, 5_000)
    for (const answer of [() => ({ status: 402, body: '{"decline_reason":"1884"}' }), json(200, { decision: 'DECLINE' })]) {
      receiver.answer = answer
      const res = await authorize(h, card.id, 100)
      assert.equal(res.body.transaction.decline_reason, 'GATEWAY_DECLINED')
    }
    assert.deepEqual(await available(h, account.id), { posted: 5_000, available: 5_000 })
  })

  it('answers partially: the merchant that allows it gets the part, one that does not a decline', async () => {
    const { card, account } = await fundedCard(h, 5_000)
    receiver.answer = json(200, { decision: 'PARTIAL', amount: 700 })
    const res = await authorize(h, card.id, 1_000, { card_acceptor: { ...merchant, partial_approval_capable: true } })
    assert.equal(res.body.transaction.state, 'PENDING')
    assert.equal(res.body.transaction.amount, 700)
    assert.deepEqual(await available(h, account.id), { posted: 5_000, available: 4_300 })
    assert.equal((await authorize(h, card.id, 1_000)).body.transaction.decline_reason, 'GATEWAY_DECLINED')
  })

  it('an approval beyond the balance is still refused by the ledger', async () => {
    const { card, account } = await fundedCard(h, 500)
    receiver.answer = json(200, { decision: 'APPROVE' })
    assert.equal((await authorize(h, card.id, 1_000)).body.transaction.decline_reason, 'INSUFFICIENT_FUNDS')
    assert.deepEqual(await available(h, account.id), { posted: 500, available: 500 })
  })

  it('errors (HTTP 500, a body that is no decision): GATEWAY_ERROR without stand-in, the balance decides with it', async () => {
    const { card } = await fundedCard(h, 5_000)
    for (const answer of [() => ({ status: 500 }), json(200, { hello: 'world' })]) {
      receiver.answer = answer
      await setStandin(false)
      assert.equal((await authorize(h, card.id, 100)).body.transaction.decline_reason, 'GATEWAY_ERROR')
      await setStandin(true)
      assert.equal((await authorize(h, card.id, 100)).body.transaction.state, 'PENDING')
      assert.equal((await authorize(h, card.id, 50_000)).body.transaction.decline_reason, 'INSUFFICIENT_FUNDS')
    }
    await setStandin(false)
  })

  it(`times out after ${gatewayTimeoutMs} ms: GATEWAY_ERROR`, async () => {
    const { card } = await fundedCard(h, 5_000)
    receiver.answer = () => 'hang'
    const started = Date.now()
    const res = await authorize(h, card.id, 100)
    const tookMs = Date.now() - started
    assert.equal(res.body.transaction.decline_reason, 'GATEWAY_ERROR')
    // Not before the time-out; how long after depends on the machine, so it is not asserted.
    assert.ok(tookMs >= gatewayTimeoutMs, `answered after ${tookMs} ms`)
  })

  it('refuses custom headers Node could not send; one stored before that check leaves the gateway unavailable, not a 500', async () => {
    for (const headers of [{ 'x-test': 'a\r\nInjected: 1' }, { 'bad name': 'x' }]) {
      const res = await h.request('PATCH', `/v0/cards/gateways/${gatewayId}`, { body: { custom_headers: headers } })
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.deepEqual(Object.keys(res.body.invalid), [`custom_headers.${Object.keys(headers)[0]}`])
    }
    await h.sql`update card_gateways set custom_headers_encrypted = ${h.services.vault.encrypt(JSON.stringify({ 'x-test': 'a\r\nb' }))} where id = ${gatewayId}`
    try {
      const { card } = await fundedCard(h, 5_000)
      const res = await authorize(h, card.id, 100)
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.equal(res.body.transaction.decline_reason, 'GATEWAY_ERROR')
    } finally {
      assert.equal((await h.request('PATCH', `/v0/cards/gateways/${gatewayId}`, { body: { custom_headers: { 'x-api-key': 'k-123' } } })).status, 200)
    }
  })

  it('an unreachable gateway is an error too; an inactive one is not asked', async () => {
    const { card } = await fundedCard(h, 5_000)
    await receiver.stop()
    try {
      assert.equal((await authorize(h, card.id, 100)).body.transaction.decline_reason, 'GATEWAY_ERROR')
    } finally {
      await receiver.start()
    }
    assert.equal((await h.request('PATCH', `/v0/cards/gateways/${gatewayId}`, { body: { active: false } })).status, 200)
    const before = receiver.received.length
    receiver.answer = json(200, { decision: 'DECLINE' })
    assert.equal((await authorize(h, card.id, 100)).body.transaction.state, 'PENDING')
    assert.equal(receiver.received.length, before)
  })
})
