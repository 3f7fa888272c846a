import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { isLuhnValid } from '../../src/cards/pan.js'
import { expireDueCards } from '../../src/cards/expiry.js'
import { startHarness, type Harness } from '../support/harness.js'
import { untilLockWaiters } from '../support/locks.js'
import { createVerifiedPerson, createPerson } from '../support/parties.js'
import { assertOnlyDeclared, eventsOf, holder, issue, panOf, products, type Holder } from './support.js'

let h: Harness
let p: Awaited<ReturnType<typeof products>>
before(async () => { h = await startHarness(); p = await products(h) })
after(async () => { await h.close() })

describe('card products', () => {
  it('a sandbox workspace has virtual and physical debit products; a live one none', async () => {
    assert.equal(p.virtual.form, 'VIRTUAL')
    assert.equal(p.physical.form, 'PHYSICAL')
    assert.equal(p.custom.image_mode, 'REQUIRED_APPROVED_FIRST')
    const physical = await h.request('GET', '/v0/cards/products?form=PHYSICAL')
    assert.deepEqual(physical.body.card_products.map((x: any) => x.form), ['PHYSICAL', 'PHYSICAL'])
    const b = await products(h, h.keys.b)
    assert.notEqual(b.virtual.id, p.virtual.id, 'product ids are per workspace')
    const live = await h.request('GET', '/v0/cards/products', { key: h.keys.live })
    assert.deepEqual(live.body.card_products, [])
    const paged = await h.request('GET', '/v0/cards/products?limit=3')
    assert.equal(paged.body.card_products.length, 3)
    const rest = await h.request('GET', `/v0/cards/products?page_token=${paged.body.next_page_token}`)
    assert.equal(rest.body.card_products.length, 1)
    assert.equal(rest.body.next_page_token, undefined)
  })
})

describe('issuing', () => {
  let who: Holder
  before(async () => { who = await holder(h) })

  it('issues a virtual card ACTIVE with a Luhn-valid PAN from the BIN, shown only as last_four', async () => {
    const card = await issue(h, who, p.virtual, { metadata: { nickname: 'groceries' } })
    assert.equal(card.card_status, 'ACTIVE')
    assert.equal(card.status_reason, 'NEW')
    assert.equal(card.form, 'VIRTUAL')
    assert.equal(card.type, 'DEBIT')
    assert.equal(card.card_brand, 'VISA')
    assert.equal(card.is_pin_set, false)
    assert.equal(card.emboss_name.line_1, `${who.person.first_name} ${who.person.last_name}`.slice(0, 21))
    const pan = await panOf(h, card.id)
    assert.ok(isLuhnValid(pan), pan)
    assert.ok(pan.startsWith(card.bin))
    assert.equal(pan.slice(-4), card.last_four)
    assert.ok(!JSON.stringify(card).includes(pan))
    assert.match(card.expiration_month, /^\d{2}$/)
    assert.match(card.expiration_year, /^\d{2}$/)
    const got = await h.request('GET', `/v0/cards/${card.id}`)
    assert.deepEqual(got.body, card)
    assertOnlyDeclared('virtual_card_response', card)
    for (const product of Object.values(p)) assertOnlyDeclared('card_product_response', product)
    const events = await eventsOf(h, card.id)
    assert.deepEqual(events.map((e) => e.type), ['CARD.CREATED'])
  })

  it('issues a physical card UNACTIVATED and ISSUED, and allows one per holder and account', async () => {
    const other = await holder(h)
    const card = await issue(h, other, p.physical, { shipping: { method: 'TWO_DAY', address: { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' } } })
    assert.equal(card.card_status, 'UNACTIVATED')
    assert.equal(card.card_fulfillment_status, 'ISSUED')
    assert.equal(card.physical_card_format, 'CHIP')
    assertOnlyDeclared('physical_card_response', card)
    const second = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.physical.id, account_id: other.account.id, customer_id: other.person.id } })
    assert.equal(second.status, 422)
    assert.equal(second.body.code, 'INVALID_STATUS')
    // Terminating the first frees the place.
    const t = await h.request('PATCH', `/v0/cards/${card.id}`, { body: { card_status: 'TERMINATED', reason: 'REQ' } })
    assert.equal(t.status, 200)
    await issue(h, other, p.physical)
  })

  it('keeps of shipping and emboss_name only what the spec declares, on issue and on update', async () => {
    const other = await holder(h)
    const address = { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US', floor: 3 }
    const card = await issue(h, other, p.physical, {
      shipping: { method: 'TWO_DAY', address, recipient_name: { first_name: 'Ada', last_name: 'Lovelace', title: 'Countess' }, gate_code: '1234' },
      emboss_name: { line_1: 'ADA LOVELACE', line_3: 'X' },
    })
    const { floor: _floor, ...declaredAddress } = address
    assert.deepEqual(card.shipping, { method: 'TWO_DAY', address: declaredAddress, recipient_name: { first_name: 'Ada', last_name: 'Lovelace' } })
    assert.deepEqual(card.emboss_name, { line_1: 'ADA LOVELACE' })
    const updated = await h.request('PATCH', `/v0/cards/${card.id}`, { body: { emboss_name: { line_1: 'A LOVELACE', line_3: 'Y' } } })
    assert.equal(updated.status, 200, JSON.stringify(updated.body))
    assert.deepEqual(updated.body.emboss_name, { line_1: 'A LOVELACE' })
  })

  it('counts the limit under a lock: of three physical cards asked at once, one is issued', async () => {
    const other = await holder(h)
    const body = { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.physical.id, account_id: other.account.id, customer_id: other.person.id }
    // Inserts into cards are held back (a SHARE lock taken here) until all three requests are
    // waiting, so each has already passed its checks: without the holder's lock, each would
    // count no card and insert one.
    const conn = await h.sql.reserve()
    await conn`begin`
    await conn`lock table cards in share mode`
    const pending = [1, 2, 3].map(() => h.request('POST', '/v0/cards', { body }))
    assert.equal(await untilLockWaiters(h.sql, 3), 3, 'the three requests wait')
    await conn`commit`
    conn.release()
    const results = await Promise.all(pending)
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 422, 422])
    const [{ n }] = await h.sql`select count(*)::int as n from cards where account_id = ${other.account.id}`
    assert.equal(n, 1)
  })

  it('allows nine virtual cards per holder and account, and refuses the tenth', async () => {
    const other = await holder(h)
    for (let i = 0; i < 9; i++) await issue(h, other, i % 2 ? p.prepaid : p.virtual)
    const tenth = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, account_id: other.account.id, customer_id: other.person.id } })
    assert.equal(tenth.status, 422)
    assert.equal(tenth.body.code, 'INVALID_STATUS')
    const listed = await h.request('GET', `/v0/cards?account_id=${other.account.id}&limit=5`)
    assert.equal(listed.body.cards.length, 5)
    const rest = await h.request('GET', `/v0/cards?account_id=${other.account.id}&page_token=${listed.body.next_page_token}`)
    assert.equal(rest.body.cards.length, 4)
  })

  it('refuses bad issuing requests with the spec codes and changes nothing', async () => {
    const unverified = await holder(h, undefined, { verified: false })
    const stranger = await createVerifiedPerson(h)
    const frozen = await holder(h)
    assert.equal((await h.request('PATCH', `/v0/accounts/${frozen.account.id}`, { body: { access_status: 'FROZEN' } })).status, 200)
    const base = { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, account_id: who.account.id, customer_id: who.person.id }
    const table: { body: Record<string, unknown>; status: number; code: string }[] = [
      { body: { ...base, form: undefined }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, form: 'PLASTIC' }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, card_product_id: uuidv7() }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, card_product_id: p.physical.id }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, card_product_id: undefined }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, type: 'PREPAID' }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, type: undefined }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, account_id: undefined }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, customer_id: undefined }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, account_id: 'not-a-uuid' }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, account_id: uuidv7() }, status: 400, code: 'ACCOUNT_NOT_FOUND' },
      { body: { ...base, customer_id: uuidv7() }, status: 400, code: 'CUSTOMER_NOT_FOUND' },
      { body: { ...base, customer_id: stranger.id }, status: 422, code: 'IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP' },
      { body: { ...base, account_id: unverified.account.id, customer_id: unverified.person.id }, status: 422, code: 'CUSTOMER_NOT_VERIFIED' },
      { body: { ...base, account_id: frozen.account.id, customer_id: frozen.person.id }, status: 422, code: 'IMPROPER_ACCOUNT_ACCESS_STATUS' },
      { body: { ...base, emboss_name: { line_1: 'X'.repeat(22) } }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, emboss_name: { line_1: 'Ada <script>' } }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, reissue_reason: 'LOST' }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, reissued_from_id: uuidv7(), reissue_reason: 'LOST' }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, metadata: { n: 1 } }, status: 400, code: 'BAD_REQUEST_BODY' },
      { body: { ...base, card_image_id: uuidv7() }, status: 400, code: 'BAD_REQUEST_BODY' },
    ]
    const [{ n: before }] = await h.sql`select count(*)::int as n from cards`
    for (const { body, status, code } of table) {
      const res = await h.request('POST', '/v0/cards', { body })
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`)
      assert.equal(res.body.code, code, JSON.stringify(body))
    }
    const [{ n: afterCount }] = await h.sql`select count(*)::int as n from cards`
    assert.equal(afterCount, before)
    for (const payload of ['{', '[]', '"card"']) {
      const res = await h.request('POST', '/v0/cards', { payload })
      assert.equal(res.status, 400, payload)
    }
  })

  it('refuses issuing in a live workspace whose partner KYB has not passed', async () => {
    const res = await h.request('POST', '/v0/cards', { key: h.keys.live, body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: uuidv7(), account_id: uuidv7(), customer_id: uuidv7() } })
    assert.equal(res.status, 422)
    assert.equal(res.body.code, 'PARTNER_NOT_VERIFIED')
  })

  it('replays an Idempotency-Key and refuses its reuse with another request', async () => {
    const other = await holder(h)
    const body = { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, account_id: other.account.id, customer_id: other.person.id }
    const first = await h.request('POST', '/v0/cards', { body, headers: { 'idempotency-key': 'issue-1' } })
    assert.equal(first.status, 201)
    const again = await h.request('POST', '/v0/cards', { body, headers: { 'idempotency-key': 'issue-1' } })
    assert.equal(again.status, 201)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    const [{ n }] = await h.sql`select count(*)::int as n from cards where account_id = ${other.account.id}`
    assert.equal(n, 1)
    const reuse = await h.request('POST', '/v0/cards', { body: { ...body, metadata: { a: 'b' } }, headers: { 'idempotency-key': 'issue-1' } })
    assert.equal(reuse.status, 422)
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
  })

  it('issues a business card without a customer, which activates only once a customer is assigned', async () => {
    const person = await createVerifiedPerson(h)
    const { createVerifiedBusiness } = await import('../support/parties.js')
    const business = await createVerifiedBusiness(h)
    const { createTemplate } = await import('../support/accounts.js')
    const template = await createTemplate(h)
    const account = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', business_id: business.id }, { relationship_type: 'AUTHORIZED_USER', customer_id: person.id }] } })
    assert.equal(account.status, 201)
    const res = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.physical.id, account_id: account.body.id, business_id: business.id } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.customer_id, undefined)
    const early = await h.request('PATCH', `/v0/cards/${res.body.id}`, { body: { card_status: 'ACTIVE' } })
    assert.equal(early.status, 422)
    assert.equal(early.body.code, 'INVALID_STATUS')
    const assigned = await h.request('PATCH', `/v0/cards/${res.body.id}`, { body: { customer_id: person.id } })
    assert.equal(assigned.status, 200)
    assert.equal(assigned.body.customer_id, person.id)
    const active = await h.request('PATCH', `/v0/cards/${res.body.id}`, { body: { card_status: 'ACTIVE' } })
    assert.equal(active.status, 200)
    assert.equal(active.body.card_status, 'ACTIVE')
    const change = await h.request('PATCH', `/v0/cards/${res.body.id}`, { body: { customer_id: (await createPerson(h)).id } })
    assert.equal(change.status, 400)
  })
})

describe('lifecycle', () => {
  it('suspends, unlocks and terminates, recording each change and event; TERMINATED is final', async () => {
    const who = await holder(h)
    const card = await issue(h, who, p.virtual)
    const steps: { body: Record<string, unknown>; status: number; card_status?: string; reason?: string }[] = [
      { body: { card_status: 'SUSPENDED', reason: 'SUS', memo: 'odd activity' }, status: 200, card_status: 'SUSPENDED', reason: 'SUS' },
      { body: { card_status: 'SUSPENDED' }, status: 422 },
      { body: { card_status: 'ACTIVE', reason: 'INF' }, status: 200, card_status: 'ACTIVE', reason: 'INF' },
      { body: { card_status: 'ACTIVE' }, status: 422 },
      { body: { reason: 'LOS' }, status: 400 },
      { body: { card_status: 'TERMINATED', reason: 'LOS' }, status: 200, card_status: 'TERMINATED', reason: 'LOS' },
      { body: { card_status: 'ACTIVE' }, status: 422 },
      { body: { card_status: 'SUSPENDED' }, status: 422 },
      { body: { emboss_name: { line_1: 'NEW NAME' } }, status: 422 },
      { body: { metadata: { closed: 'yes' } }, status: 200, card_status: 'TERMINATED' },
    ]
    for (const step of steps) {
      const res = await h.request('PATCH', `/v0/cards/${card.id}`, { body: step.body })
      assert.equal(res.status, step.status, `${JSON.stringify(step.body)} → ${JSON.stringify(res.body)}`)
      if (step.status !== 200) { assert.equal(res.body.code, res.status === 400 ? 'BAD_REQUEST_BODY' : 'INVALID_STATUS'); continue }
      assert.equal(res.body.card_status, step.card_status)
      if (step.reason) assert.equal(res.body.status_reason, step.reason)
    }
    const changes = await h.request('GET', `/v0/cards/${card.id}/changes`)
    assert.equal(changes.status, 200)
    for (const c of changes.body.changes) assertOnlyDeclared('card_change', c)
    assert.deepEqual(changes.body.changes.map((c: any) => [c.change_type, c.state, c.reason]), [
      ['STATUS', 'TERMINATED', 'LOS'], ['STATUS', 'ACTIVE', 'INF'], ['STATUS', 'SUSPENDED', 'SUS'], ['STATUS', 'ACTIVE', 'NEW'],
    ])
    const events = await eventsOf(h, card.id)
    assert.deepEqual(events.map((e) => e.type), ['CARD.CREATED', 'CARD.UPDATED', 'CARD.UPDATED', 'CARD.UPDATED', 'CARD.UPDATED'])
    assert.deepEqual(events[1].changed_fields.card_status, 'ACTIVE')
    assert.equal(events[1].resource.card_status, 'SUSPENDED')
  })

  it('activates a physical card with the code on its carrier (the sandbox barcode), once', async () => {
    const who = await holder(h)
    const card = await issue(h, who, p.physical)
    const barcode = await h.request('GET', `/v0/cards/${card.id}/barcodes`)
    assert.equal(barcode.status, 200)
    assert.match(barcode.body.barcode, /^\d{20}$/)
    const byBarcode = await h.request('GET', `/v0/cards?barcode=${barcode.body.barcode}`)
    assert.deepEqual(byBarcode.body.cards.map((c: any) => c.id), [card.id])
    const wrongCustomer = await h.request('POST', '/v0/cards/activate', { body: { activation_code: barcode.body.barcode, customer_id: (await createPerson(h)).id } })
    assert.equal(wrongCustomer.status, 400)
    const wrongCode = await h.request('POST', '/v0/cards/activate', { body: { activation_code: '0'.repeat(20), customer_id: who.person.id } })
    assert.equal(wrongCode.status, 400)
    const missing = await h.request('POST', '/v0/cards/activate', { body: { customer_id: who.person.id } })
    assert.equal(missing.status, 400)
    const ok = await h.request('POST', '/v0/cards/activate', { body: { activation_code: barcode.body.barcode, customer_id: who.person.id } })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.equal(ok.body.card_status, 'ACTIVE')
    const twice = await h.request('POST', '/v0/cards/activate', { body: { activation_code: barcode.body.barcode, customer_id: who.person.id } })
    assert.equal(twice.status, 422)
    const virtualBarcode = await h.request('GET', `/v0/cards/${(await issue(h, who, p.virtual)).id}/barcodes`)
    assert.equal(virtualBarcode.status, 422)
  })

  it('moves fulfilment by simulation, in sandbox only, and records it', async () => {
    const who = await holder(h)
    const card = await issue(h, who, p.physical, { shipping: { method: 'OVERNIGHT' } })
    const table: [string, number][] = [['SHIPPED', 200], ['ORDERED', 422], ['SHIPPED', 422]]
    const ordered = await h.request('POST', `/v0/cards/${card.id}/webhook_simulations/fulfillment`, { body: { card_fulfillment_status: 'ORDERED' } })
    assert.equal(ordered.status, 200)
    assert.deepEqual(ordered.body, { card_fulfillment_status: 'ORDERED' })
    for (const [status, code] of table) {
      const res = await h.request('POST', `/v0/cards/${card.id}/webhook_simulations/fulfillment`, { body: { card_fulfillment_status: status } })
      assert.equal(res.status, code, `${status}: ${JSON.stringify(res.body)}`)
    }
    const got = await h.request('GET', `/v0/cards/${card.id}`)
    assert.equal(got.body.card_fulfillment_status, 'SHIPPED')
    assert.equal(got.body.fulfillment_details.shipping_method, 'OVERNIGHT')
    assert.match(got.body.fulfillment_details.tracking_number, /^KEEL/)
    const changes = await h.request('GET', `/v0/cards/${card.id}/changes`)
    assert.deepEqual(changes.body.changes.filter((c: any) => c.change_type === 'FULFILLMENT').map((c: any) => c.state), ['SHIPPED', 'ORDERED', 'ISSUED'])
    const events = await eventsOf(h, card.id)
    assert.equal(events.at(-1)!.resource.card_fulfillment_status, 'SHIPPED')
    const virtual = await h.request('POST', `/v0/cards/${(await issue(h, who, p.virtual)).id}/webhook_simulations/fulfillment`, { body: { card_fulfillment_status: 'SHIPPED' } })
    assert.equal(virtual.status, 422)
    const live = await h.request('POST', `/v0/cards/${card.id}/webhook_simulations/fulfillment`, { key: h.keys.live, body: { card_fulfillment_status: 'SHIPPED' } })
    assert.equal(live.status, 400)
    assert.equal(live.body.code, 'FEATURE_NOT_AVAILABLE')
    const bad = await h.request('POST', `/v0/cards/${card.id}/webhook_simulations/fulfillment`, { body: { card_fulfillment_status: 'LOST_IN_MAIL' } })
    assert.equal(bad.status, 400)
  })

  it('reissues LOST with a new PAN and ends the old card at once', async () => {
    const who = await holder(h)
    const old = await issue(h, who, p.virtual)
    const oldPan = await panOf(h, old.id)
    const res = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, reissued_from_id: old.id, reissue_reason: 'LOST', account_id: old.account_id } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.reissued_from_id, old.id)
    assert.equal(res.body.account_id, old.account_id)
    assert.notEqual(await panOf(h, res.body.id), oldPan)
    const was = await h.request('GET', `/v0/cards/${old.id}`)
    assert.equal(was.body.card_status, 'TERMINATED')
    assert.equal(was.body.status_reason, 'LOS')
    assert.equal(was.body.reissued_to_id, res.body.id)
    const again = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, reissued_from_id: old.id, reissue_reason: 'STOLEN', account_id: old.account_id } })
    assert.equal(again.status, 422, 'a card is replaced once')
  })

  it('reissues DAMAGED keeping the PAN and PIN; the old card ends when the new one is activated', async () => {
    const who = await holder(h)
    const old = await issue(h, who, p.physical)
    await h.sql`update cards set pin_hash = 'scrypt$16384$c2FsdA==$aGFzaA==', pin_set_at = now() where id = ${old.id}`
    const terminated = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.physical.id, reissued_from_id: old.id, reissue_reason: 'DAMAGED', account_id: uuidv7() } })
    assert.equal(terminated.status, 400, 'a reissue keeps the account')
    const res = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.physical.id, reissued_from_id: old.id, reissue_reason: 'DAMAGED', account_id: old.account_id } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.card_fulfillment_status, 'REISSUED')
    assert.equal(res.body.last_four, old.last_four)
    assert.equal(await panOf(h, res.body.id), await panOf(h, old.id))
    assert.equal(res.body.is_pin_set, true)
    assert.equal((await h.request('GET', `/v0/cards/${old.id}`)).body.card_status, 'UNACTIVATED', 'the old card lives until activation')
    const activated = await h.request('PATCH', `/v0/cards/${res.body.id}`, { body: { card_status: 'ACTIVE' } })
    assert.equal(activated.status, 200)
    const was = await h.request('GET', `/v0/cards/${old.id}`)
    assert.equal(was.body.card_status, 'TERMINATED')
    const afterTermination = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.physical.id, reissued_from_id: res.body.id, reissue_reason: 'APPEARANCE', account_id: old.account_id } })
    assert.equal(afterTermination.status, 201, 'the active replacement can itself be reissued')
  })

  it('reads a card past its expiry as TERMINATED (EXP), and only EXPIRATION reissues it', async () => {
    const who = await holder(h)
    const card = await issue(h, who, p.virtual)
    await h.sql`update cards set expiration_time = now() - interval '1 day' where id = ${card.id}`
    const got = await h.request('GET', `/v0/cards/${card.id}`)
    assert.equal(got.body.card_status, 'TERMINATED')
    assert.equal(got.body.status_reason, 'EXP')
    const suspend = await h.request('PATCH', `/v0/cards/${card.id}`, { body: { card_status: 'SUSPENDED' } })
    assert.equal(suspend.status, 422)
    const damaged = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, reissued_from_id: card.id, reissue_reason: 'DAMAGED', account_id: card.account_id } })
    assert.equal(damaged.status, 422)
    const renewed = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: p.virtual.id, reissued_from_id: card.id, reissue_reason: 'EXPIRATION', account_id: card.account_id } })
    assert.equal(renewed.status, 201)
    assert.equal(renewed.body.card_status, 'ACTIVE')
    assert.ok(new Date(renewed.body.expiration_time) > new Date())
  })
})

describe('expiry worker', () => {
  it('records an expiry once, as a SYSTEM change with its event, and ends the card\'s wallet tokens', async () => {
    const who = await holder(h)
    const card = await issue(h, who, p.virtual)
    const google = { device_id: 'd1', device_type: 'WATCH', provisioning_app_version: '1', wallet_account_id: 'w' }
    assert.equal((await h.request('POST', `/v0/cards/${card.id}/digital_wallet_tokens/googlepay`, { body: google })).status, 201)
    const live = await issue(h, who, p.virtual)
    await h.sql`update cards set expiration_time = now() - interval '1 hour' where id = ${card.id}`
    assert.ok((await expireDueCards(h.services)) >= 1)
    assert.equal(await expireDueCards(h.services), 0, 'nothing is due twice')
    const changes = await h.request('GET', `/v0/cards/${card.id}/changes`)
    assert.deepEqual([changes.body.changes[0].channel, changes.body.changes[0].state, changes.body.changes[0].reason], ['SYSTEM', 'TERMINATED', 'EXP'])
    const events = await eventsOf(h, card.id)
    assert.equal(events.at(-1)!.type, 'CARD.UPDATED')
    assert.equal(events.at(-1)!.resource.card_status, 'TERMINATED')
    assert.equal(events.at(-1)!.changed_fields.card_status, 'ACTIVE')
    const tokens = await h.request('GET', `/v0/cards/digital_wallet_tokens?card_id=${card.id}`)
    assert.equal(tokens.body.digital_wallet_tokens[0].state, 'TERMINATED')
    assert.equal((await h.request('GET', `/v0/cards/${live.id}`)).body.card_status, 'ACTIVE', 'a card still in date is untouched')
  })
})

describe('expiry on a sandbox clock', () => {
  it('records the expiries an advance passes, in that workspace only, before the advance answers', async () => {
    const ws = await h.newWorkspace('cards-clock', 'sandbox')
    const other = await h.newWorkspace('cards-clock-other', 'sandbox')
    const mine = await issue(h, await holder(h, ws.key), await products(h, ws.key).then((x) => x.virtual), {}, ws.key)
    const theirs = await issue(h, await holder(h, other.key), await products(h, other.key).then((x) => x.virtual), {}, other.key)
    // Both cards expire in a day; only one workspace lives through it.
    await h.sql`update cards set expiration_time = now() + interval '1 day' where id in (${mine.id}, ${theirs.id})`
    const advanced = await h.request('POST', '/v0/sandbox/clock/advance', { key: ws.key, body: { by: 'P2D' } })
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body))
    const [stored] = await h.sql`select card_status, status_reason from cards where id = ${mine.id}`
    assert.deepEqual({ ...stored }, { card_status: 'TERMINATED', status_reason: 'EXP' })
    const changes = await h.request('GET', `/v0/cards/${mine.id}/changes`, { key: ws.key })
    assert.deepEqual([changes.body.changes[0].channel, changes.body.changes[0].state, changes.body.changes[0].reason], ['SYSTEM', 'TERMINATED', 'EXP'])
    assert.equal((await eventsOf(h, mine.id)).at(-1)!.type, 'CARD.UPDATED')
    const [untouched] = await h.sql`select card_status from cards where id = ${theirs.id}`
    assert.equal(untouched.card_status, 'ACTIVE', 'a workspace whose clock did not move keeps its card')
    assert.equal((await h.request('GET', `/v0/cards/${theirs.id}`, { key: other.key })).body.card_status, 'ACTIVE')
  })
})

describe('lists, tenancy', () => {
  it('filters cards by the spec filters', async () => {
    const who = await holder(h)
    const v = await issue(h, who, p.virtual)
    const ph = await issue(h, who, p.physical)
    const q = async (qs: string) => (await h.request('GET', `/v0/cards?account_id=${who.account.id}&${qs}`)).body.cards.map((c: any) => c.id)
    assert.deepEqual(await q('form=PHYSICAL'), [ph.id])
    assert.deepEqual(await q('card_status=UNACTIVATED'), [ph.id])
    assert.deepEqual(await q(`customer_id=${who.person.id}`), [v.id, ph.id])
    assert.deepEqual(await q(`card_product_id=${p.virtual.id}`), [v.id])
    assert.deepEqual(await q(`last_four=${v.last_four}`).then((ids: string[]) => ids.includes(v.id)), true)
    assert.deepEqual(await q(`bin_prefix=${v.bin}`), [v.id])
    assert.deepEqual(await q('card_brand=MASTERCARD'), [])
    const bad = await h.request('GET', '/v0/cards?last_four=12a4')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.code, 'BAD_QUERY_PARAMETER')
  })

  it('sorts by the spec sort keys and pages through a sorted list without gaps or repeats', async () => {
    const who = await holder(h)
    const cards = [await issue(h, who, p.virtual), await issue(h, who, p.physical), await issue(h, who, p.prepaid), await issue(h, who, p.virtual)]
    const byForm = await h.request('GET', `/v0/cards?account_id=${who.account.id}&sort_by=form:asc&sort_by=card_brand:desc`)
    assert.equal(byForm.status, 200)
    assert.deepEqual(byForm.body.cards.map((c: any) => [c.form, c.card_brand]), [['PHYSICAL', 'VISA'], ['VIRTUAL', 'VISA'], ['VIRTUAL', 'VISA'], ['VIRTUAL', 'MASTERCARD']])
    const seen: string[] = []
    let token: string | undefined
    do {
      const res = await h.request('GET', `/v0/cards?account_id=${who.account.id}&sort_by=last_four:desc&limit=1${token ? `&page_token=${token}` : ''}`)
      seen.push(...res.body.cards.map((c: any) => c.id))
      token = res.body.next_page_token
    } while (token)
    const expected = [...cards].sort((a, b) => (a.last_four === b.last_four ? (a.id < b.id ? -1 : 1) : a.last_four < b.last_four ? 1 : -1)).map((c) => c.id)
    assert.deepEqual(seen, expected)
    for (const bad of ['sort_by=colour:asc', 'sort_by=form:up', 'sort_by=form:asc&sort_by=form:desc']) {
      const res = await h.request('GET', `/v0/cards?${bad}`)
      assert.equal(res.status, 400, bad)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER')
    }
  })

  it('keeps every card operation inside its workspace', async () => {
    const who = await holder(h)
    const card = await issue(h, who, p.physical)
    const b = h.keys.b
    assert.equal((await h.request('GET', `/v0/cards/${card.id}`, { key: b })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/cards/${card.id}`, { key: b, body: { card_status: 'SUSPENDED' } })).status, 404)
    assert.equal((await h.request('GET', `/v0/cards/${card.id}/changes`, { key: b })).status, 404)
    assert.equal((await h.request('GET', `/v0/cards/${card.id}/barcodes`, { key: b })).status, 404)
    assert.equal((await h.request('POST', `/v0/cards/${card.id}/client_token`, { key: b })).status, 404)
    assert.equal((await h.request('POST', `/v0/cards/${card.id}/webhook_simulations/fulfillment`, { key: b, body: { card_fulfillment_status: 'SHIPPED' } })).status, 404)
    assert.deepEqual((await h.request('GET', '/v0/cards', { key: b })).body.cards, [])
    const pb = await products(h, b)
    const cross = await h.request('POST', '/v0/cards', { key: b, body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: pb.virtual.id, account_id: who.account.id, customer_id: who.person.id } })
    assert.equal(cross.status, 400)
    assert.equal(cross.body.code, 'ACCOUNT_NOT_FOUND')
    const foreignProduct = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: pb.virtual.id, account_id: who.account.id, customer_id: who.person.id } })
    assert.equal(foreignProduct.status, 400)
    const barcode = (await h.request('GET', `/v0/cards/${card.id}/barcodes`)).body.barcode
    const activate = await h.request('POST', '/v0/cards/activate', { key: b, body: { activation_code: barcode, customer_id: who.person.id } })
    assert.equal(activate.status, 400)
    assert.equal((await h.request('GET', `/v0/cards/${card.id}`)).body.card_status, 'UNACTIVATED')
  })

  it('wipe deletes cards but keeps products', async () => {
    const ws = await h.newWorkspace('wipe-cards', 'sandbox')
    const who = await holder(h, ws.key)
    const wp = await products(h, ws.key)
    await issue(h, who, wp.virtual, {}, ws.key)
    const wiped = await h.request('POST', '/v0/wipe', { key: ws.key })
    assert.equal(wiped.status, 204, JSON.stringify(wiped.body))
    assert.deepEqual((await h.request('GET', '/v0/cards', { key: ws.key })).body.cards, [])
    assert.equal((await products(h, ws.key)).virtual.id, wp.virtual.id)
  })
})
