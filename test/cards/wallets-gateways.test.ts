import assert from 'node:assert/strict'
import { createDecipheriv, createECDH, createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { passKeyLabel } from '../../src/cards/wallets/service.js'
import { startHarness, type Harness } from '../support/harness.js'
import { appleLeaf, applePayBody, assertOnlyDeclared, eventsOf, holder, issue, panOf, products, type AppleLeaf, type Holder } from './support.js'

let h: Harness
let p: Awaited<ReturnType<typeof products>>
let who: Holder
let leaf: AppleLeaf
before(async () => { h = await startHarness(); p = await products(h); who = await holder(h); leaf = appleLeaf() })
after(async () => { await h.close() })

const appleBody = () => applePayBody(leaf)

describe('digital wallet tokens', () => {
  it('provisions Apple Pay with the card sealed for the leaf certificate only, and lists the token', async () => {
    const card = await issue(h, who, p.virtual)
    const res = await h.request('POST', `/v0/cards/${card.id}/digital_wallet_tokens/applepay`, { body: appleBody() })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const pan = await panOf(h, card.id)
    assert.ok(!JSON.stringify(res.body).includes(pan))
    // Opening the pass data with the certificate's private key proves it carries this card.
    const ecdh = createECDH('prime256v1')
    ecdh.setPrivateKey(leaf.privateKey)
    const key = createHash('sha256').update(ecdh.computeSecret(Buffer.from(res.body.ephemeral_public_key, 'base64'))).update(passKeyLabel).digest()
    const sealed = Buffer.from(res.body.encrypted_pass_data, 'base64')
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    const pass = JSON.parse(Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8'))
    assert.equal(pass.primaryAccountNumber, pan)
    assert.equal(pass.nonce, 'bm9uY2U=')
    const list = await h.request('GET', `/v0/cards/digital_wallet_tokens?card_id=${card.id}`)
    assert.equal(list.body.digital_wallet_tokens.length, 1)
    const token = list.body.digital_wallet_tokens[0]
    assert.equal(token.type, 'APPLE_PAY')
    assertOnlyDeclared('digital_wallet_token_response', token)
    assertOnlyDeclared('apple_digital_wallet_provision_response', res.body)
    assert.equal(token.state, 'ACTIVE')
    assert.deepEqual((await eventsOf(h, token.id)).map((e) => e.type), ['CARD.DIGITALWALLETTOKEN.CREATED'])
  })

  it('provisions Google Pay and moves token states as the spec allows', async () => {
    const card = await issue(h, who, p.prepaid)
    const res = await h.request('POST', `/v0/cards/${card.id}/digital_wallet_tokens/googlepay`, { body: { device_id: 'android-123', device_type: 'MOBILE_PHONE', provisioning_app_version: '2.1', wallet_account_id: 'wallet-9' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.push_tokenize_request_data.last_digits, card.last_four)
    assertOnlyDeclared('google_digital_wallet_provision_response', res.body)
    assert.ok(!JSON.stringify(res.body).includes(await panOf(h, card.id)))
    const [token] = (await h.request('GET', `/v0/cards/digital_wallet_tokens?card_id=${card.id}`)).body.digital_wallet_tokens
    assert.equal(token.type, 'ANDROID_PAY')
    const steps: [string, number][] = [['SUSPENDED', 200], ['SUSPENDED', 422], ['ACTIVE', 200], ['TERMINATED', 200], ['ACTIVE', 422], ['GONE', 400]]
    for (const [state, status] of steps) {
      const r = await h.request('PATCH', `/v0/cards/digital_wallet_tokens/${token.id}`, { body: { token_status: state } })
      assert.equal(r.status, status, `${state}: ${JSON.stringify(r.body)}`)
      if (status === 200) assert.equal(r.body.state, state)
    }
    const byState = await h.request('GET', '/v0/cards/digital_wallet_tokens?token_state=TERMINATED')
    assert.ok(byState.body.digital_wallet_tokens.some((t: any) => t.id === token.id))
    assert.deepEqual((await eventsOf(h, token.id)).map((e) => e.type), ['CARD.DIGITALWALLETTOKEN.CREATED', 'CARD.DIGITALWALLETTOKEN.UPDATED', 'CARD.DIGITALWALLETTOKEN.UPDATED', 'CARD.DIGITALWALLETTOKEN.UPDATED'])
  })

  it('ends a card\'s tokens when it is terminated, and moves them to its replacement on reissue', async () => {
    const other = await holder(h)
    const card = await issue(h, other, p.virtual)
    const google = { device_id: 'android-1', device_type: 'MOBILE_PHONE', provisioning_app_version: '2.1', wallet_account_id: 'w' }
    assert.equal((await h.request('POST', `/v0/cards/${card.id}/digital_wallet_tokens/googlepay`, { body: google })).status, 201)
    const reissued = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, account_id: card.account_id, reissued_from_id: card.id, reissue_reason: 'STOLEN' } })
    assert.equal(reissued.status, 201)
    const moved = await h.request('GET', `/v0/cards/digital_wallet_tokens?card_id=${reissued.body.id}`)
    assert.equal(moved.body.digital_wallet_tokens.length, 1)
    assert.equal(moved.body.digital_wallet_tokens[0].state, 'ACTIVE')
    const ended = await h.request('PATCH', `/v0/cards/${reissued.body.id}`, { body: { card_status: 'TERMINATED' } })
    assert.equal(ended.status, 200)
    const after = await h.request('GET', `/v0/cards/digital_wallet_tokens/${moved.body.digital_wallet_tokens[0].id}`)
    assert.equal(after.body.state, 'TERMINATED')
    const refused = await h.request('POST', `/v0/cards/${reissued.body.id}/digital_wallet_tokens/googlepay`, { body: google })
    assert.equal(refused.status, 422, 'a terminated card is added to no wallet')
  })

  it('refuses bad provisioning requests and keeps tokens in their workspace', async () => {
    const card = await issue(h, who, p.virtual)
    const table: { body: Record<string, unknown>; status: number }[] = [
      { body: { ...appleBody(), certificates: ['bm90IGEgY2VydA=='] }, status: 400 },
      { body: { ...appleBody(), certificates: [] }, status: 400 },
      { body: { ...appleBody(), device_type: 'TOASTER' }, status: 400 },
      { body: { ...appleBody(), nonce: undefined }, status: 400 },
    ]
    for (const { body, status } of table) {
      const res = await h.request('POST', `/v0/cards/${card.id}/digital_wallet_tokens/applepay`, { body })
      assert.equal(res.status, status, JSON.stringify(res.body))
    }
    const unknown = await h.request('POST', `/v0/cards/${uuidv7()}/digital_wallet_tokens/applepay`, { body: appleBody() })
    assert.equal(unknown.status, 404)
    assert.equal((await h.request('POST', `/v0/cards/${card.id}/digital_wallet_tokens/applepay`, { key: h.keys.b, body: appleBody() })).status, 404)
    const res = await h.request('POST', `/v0/cards/${card.id}/digital_wallet_tokens/applepay`, { body: appleBody() })
    assert.equal(res.status, 201)
    const [token] = (await h.request('GET', `/v0/cards/digital_wallet_tokens?card_id=${card.id}`)).body.digital_wallet_tokens
    assert.equal((await h.request('GET', `/v0/cards/digital_wallet_tokens/${token.id}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/cards/digital_wallet_tokens/${token.id}`, { key: h.keys.b, body: { token_status: 'SUSPENDED' } })).status, 404)
    assert.deepEqual((await h.request('GET', '/v0/cards/digital_wallet_tokens', { key: h.keys.b })).body.digital_wallet_tokens, [])
  })
})

describe('authorization gateways', () => {
  it('creates, reads, lists and patches a gateway; custom headers are stored encrypted', async () => {
    const body = { url: 'https://auth.fintech.example/decide', card_products: [p.virtual.id], custom_headers: { 'x-api-key': 'gateway-secret-123' }, standin: { enabled: true } }
    const created = await h.request('POST', '/v0/cards/gateways', { body })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.active, true)
    assert.deepEqual(created.body.custom_headers, body.custom_headers)
    assertOnlyDeclared('gateway_response', created.body)
    const [{ n }] = await h.sql`select count(*)::int as n from card_gateways where custom_headers_encrypted like '%gateway-secret%'`
    assert.equal(n, 0)
    const got = await h.request('GET', `/v0/cards/gateways/${created.body.id}`)
    assert.deepEqual(got.body, created.body)
    const patched = await h.request('PATCH', `/v0/cards/gateways/${created.body.id}`, { body: { active: false, card_products: [p.virtual.id, p.physical.id] } })
    assert.equal(patched.status, 200)
    assert.equal(patched.body.active, false)
    assert.equal(patched.body.url, body.url)
    assert.deepEqual(patched.body.card_products, [p.virtual.id, p.physical.id])
    const list = await h.request('GET', '/v0/cards/gateways')
    assert.equal(list.status, 201, 'the spec answers this list with 201')
    assert.deepEqual(list.body.gateways.map((g: any) => g.id), [created.body.id])
  })

  it('keeps of the stand-in settings only what the spec declares, on create and update', async () => {
    const created = await h.request('POST', '/v0/cards/gateways', { body: { url: 'https://auth.fintech.example/decide', card_products: [p.virtual.id], standin: { enabled: true, fallback: 'approve' } } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.deepEqual(created.body.standin, { enabled: true })
    const patched = await h.request('PATCH', `/v0/cards/gateways/${created.body.id}`, { body: { standin: { enabled: false, timeout_ms: 5 } } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.deepEqual(patched.body.standin, { enabled: false })
    assert.deepEqual((await h.request('GET', `/v0/cards/gateways/${created.body.id}`)).body, patched.body)
  })

  it('refuses bad gateways and keeps them in their workspace', async () => {
    const table: Record<string, unknown>[] = [
      { url: 'ftp://x.example/', card_products: [p.virtual.id] },
      { url: 'not a url', card_products: [p.virtual.id] },
      { url: 'https://user:pw@x.example/', card_products: [p.virtual.id] },
      { url: 'https://x.example/', card_products: [uuidv7()] },
      { url: 'https://x.example/' },
      { card_products: [p.virtual.id] },
      { url: 'https://x.example/', card_products: [p.virtual.id], custom_headers: { a: 1 } },
    ]
    for (const body of table) {
      const res = await h.request('POST', '/v0/cards/gateways', { body })
      assert.equal(res.status, 400, JSON.stringify(body))
    }
    const created = await h.request('POST', '/v0/cards/gateways', { body: { url: 'https://x.example/', card_products: [p.virtual.id] } })
    assert.equal((await h.request('GET', `/v0/cards/gateways/${created.body.id}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/cards/gateways/${created.body.id}`, { key: h.keys.b, body: { active: false } })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/cards/gateways/${created.body.id}`, { body: { url: 'gopher://x' } })).status, 400)
  })
})
