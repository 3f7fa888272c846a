import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { uuidv7 } from '../../src/platform/ids.js'
import { cardImageBodyBytesMax, cardImageBytesMax } from '../../src/cards/images/routes.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createPerson } from '../support/parties.js'
import { assertOnlyDeclared, eventsOf, holder, products, type Holder } from './support.js'

let h: Harness
let p: Awaited<ReturnType<typeof products>>
let who: Holder
before(async () => { h = await startHarness(); p = await products(h); who = await holder(h) })
after(async () => { await h.close() })

const picture = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 30, g: 90, b: 160 } } })
const jpeg = (width = 1012, height = 638) => picture(width, height).jpeg().toBuffer()

async function newImage(customerId = who.person.id, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/cards/images', { key, body: { card_product_id: (key ? await products(h, key) : p).custom.id, customer_id: customerId } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

const upload = (id: string, payload: Buffer, contentType = 'image/jpeg', key?: string) =>
  h.request('POST', `/v0/cards/images/${id}/data`, { key, payload, headers: { 'content-type': contentType } })

describe('custom card images', () => {
  it('goes NOT_UPLOADED → UNREVIEWED → APPROVED, serves its JPEG, and lets a card be issued with it', async () => {
    const image = await newImage()
    assert.equal(image.status, 'NOT_UPLOADED')
    assertOnlyDeclared('card_image_details', image)
    const early = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.custom.id, account_id: who.account.id, customer_id: who.person.id, card_image_id: image.id } })
    assert.equal(early.status, 422, 'an image not yet approved is refused')
    const data = await jpeg()
    const up = await upload(image.id, data)
    assert.equal(up.status, 200, JSON.stringify(up.body))
    assert.equal(up.body.status, 'UNREVIEWED')
    const again = await upload(image.id, data)
    assert.equal(again.status, 422, 'image data is sent once')
    const raw = await h.app.inject({ method: 'GET', url: `/v0/cards/images/${image.id}/data`, headers: { authorization: `Bearer ${h.keys.a}` } })
    assert.equal(raw.statusCode, 200)
    assert.equal(raw.headers['content-type'], 'image/jpeg')
    assert.ok(raw.rawPayload.equals(data))
    const unreviewedIssue = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.custom.id, account_id: who.account.id, customer_id: who.person.id, card_image_id: image.id } })
    assert.equal(unreviewedIssue.status, 422)
    const approved = await h.request('PATCH', `/v0/cards/images/${image.id}`, { body: { status: 'APPROVED' } })
    assert.equal(approved.status, 200)
    assert.equal(approved.body.status, 'APPROVED')
    const noImage = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.custom.id, account_id: who.account.id, customer_id: who.person.id } })
    assert.equal(noImage.status, 400, 'the product requires an image')
    const card = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.custom.id, account_id: who.account.id, customer_id: who.person.id, card_image_id: image.id } })
    assert.equal(card.status, 201, JSON.stringify(card.body))
    assert.equal(card.body.card_image_id, image.id)
    const events = await eventsOf(h, image.id)
    assert.deepEqual(events.map((e) => [e.type, e.resource.status]), [['CARD.IMAGE.UPDATED', 'NOT_UPLOADED'], ['CARD.IMAGE.UPDATED', 'UNREVIEWED'], ['CARD.IMAGE.UPDATED', 'APPROVED']])
    const list = await h.request('GET', `/v0/cards/images?customer_id=${who.person.id}`)
    assert.ok(list.body.images.some((i: any) => i.id === image.id && i.status === 'APPROVED'))
  })

  it('refuses what is not a whole JPEG of the allowed size, by its content', async () => {
    const good = await jpeg()
    const png = await picture(1012, 638).png().toBuffer()
    const padded = Buffer.concat([good, Buffer.alloc(cardImageBytesMax + 1 - good.length)])
    const cases: { name: string; data: Buffer; contentType?: string }[] = [
      { name: 'a PNG sent as image/jpeg (renamed .jpg)', data: png },
      { name: 'a PNG sent as image/png', data: png, contentType: 'image/png' },
      { name: 'a truncated JPEG', data: good.subarray(0, Math.floor(good.length / 2)) },
      { name: 'too small', data: await jpeg(639, 400) },
      { name: 'too short', data: await jpeg(640, 399) },
      { name: 'too wide', data: await jpeg(4097, 500) },
      { name: 'over 10 MiB', data: padded },
      { name: 'not an image', data: Buffer.from('hello, this is text') },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: 'text/plain label', data: good, contentType: 'text/plain' },
    ]
    for (const c of cases) {
      const image = await newImage()
      const res = await upload(image.id, c.data, c.contentType)
      assert.ok(res.status === 400 || res.status === 415, `${c.name}: ${res.status} ${JSON.stringify(res.body)}`)
      const after = await h.request('GET', `/v0/cards/images/${image.id}`)
      assert.equal(after.body.status, 'NOT_UPLOADED', `${c.name} changed nothing`)
    }
    const smallest = await newImage()
    assert.equal((await upload(smallest.id, await jpeg(640, 400))).status, 200, 'the limits themselves are allowed')
    // A body past what the operation reads at all is 413, naming its own limit (not the server's 1 MiB).
    const huge = await upload((await newImage()).id, Buffer.alloc(cardImageBodyBytesMax + 1))
    assert.deepEqual([huge.status, huge.body.code], [413, 'PAYLOAD_TOO_LARGE'])
    assert.ok(huge.body.detail.includes(String(cardImageBodyBytesMax)), huge.body.detail)
  })

  it('reviews: REJECTED carries a reason; only UNREVIEWED is reviewed; live refuses review by PATCH', async () => {
    const image = await newImage()
    const notYet = await h.request('PATCH', `/v0/cards/images/${image.id}`, { body: { status: 'APPROVED' } })
    assert.equal(notYet.status, 422)
    await upload(image.id, await jpeg())
    const table: { body: Record<string, unknown>; status: number }[] = [
      { body: { status: 'REJECTED' }, status: 400 },
      { body: { status: 'APPROVED', rejection_reason: 'BRANDED' }, status: 400 },
      { body: { status: 'NOT_UPLOADED' }, status: 400 },
      { body: { status: 'MAYBE' }, status: 400 },
      { body: {}, status: 400 },
      { body: { status: 'REJECTED', rejection_reason: 'TRADEMARK', rejection_memo: 'logo of another company' }, status: 200 },
      { body: { status: 'APPROVED' }, status: 422 },
    ]
    for (const { body, status } of table) {
      const res = await h.request('PATCH', `/v0/cards/images/${image.id}`, { body })
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`)
    }
    const got = await h.request('GET', `/v0/cards/images/${image.id}`)
    assert.equal(got.body.rejection_reason, 'TRADEMARK')
    const rejected = await h.request('POST', '/v0/cards', { body: { form: 'PHYSICAL', type: 'DEBIT', card_product_id: p.custom.id, account_id: who.account.id, customer_id: who.person.id, card_image_id: image.id } })
    assert.equal(rejected.status, 422)
    const live = await h.request('PATCH', `/v0/cards/images/${uuidv7()}`, { key: h.keys.live, body: { status: 'APPROVED' } })
    assert.deepEqual([live.status, live.body.code], [400, 'FEATURE_NOT_AVAILABLE'])
  })

  it('refuses bad creation requests and keeps images in their workspace', async () => {
    const table: { body: Record<string, unknown>; code: string }[] = [
      { body: { card_product_id: p.physical.id, customer_id: who.person.id }, code: 'BAD_REQUEST_BODY' },
      { body: { card_product_id: uuidv7(), customer_id: who.person.id }, code: 'BAD_REQUEST_BODY' },
      { body: { card_product_id: p.custom.id, customer_id: uuidv7() }, code: 'CUSTOMER_NOT_FOUND' },
      { body: { card_product_id: p.custom.id }, code: 'BAD_REQUEST_BODY' },
    ]
    for (const { body, code } of table) {
      const res = await h.request('POST', '/v0/cards/images', { body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.code, code)
    }
    const image = await newImage()
    assert.equal((await h.request('GET', `/v0/cards/images/${image.id}`, { key: h.keys.b })).status, 404)
    assert.equal((await upload(image.id, await jpeg(), 'image/jpeg', h.keys.b)).status, 404)
    assert.equal((await h.request('PATCH', `/v0/cards/images/${image.id}`, { key: h.keys.b, body: { status: 'APPROVED' } })).status, 404)
    assert.deepEqual((await h.request('GET', `/v0/cards/images?customer_id=${who.person.id}`, { key: h.keys.b })).body.images, [])
    const other = await createPerson(h, {}, h.keys.b)
    const cross = await h.request('POST', '/v0/cards/images', { body: { card_product_id: p.custom.id, customer_id: other.id } })
    assert.equal(cross.body.code, 'CUSTOMER_NOT_FOUND')
    const raw = await h.app.inject({ method: 'GET', url: `/v0/cards/images/${image.id}/data`, headers: { authorization: `Bearer ${h.keys.a}` } })
    assert.equal(raw.statusCode, 404, 'no data before upload')
  })

  it('replays an upload under its Idempotency-Key', async () => {
    const image = await newImage()
    const data = await jpeg()
    const first = await h.request('POST', `/v0/cards/images/${image.id}/data`, { payload: data, headers: { 'content-type': 'image/jpeg', 'idempotency-key': 'img-1' } })
    assert.equal(first.status, 200)
    const replay = await h.request('POST', `/v0/cards/images/${image.id}/data`, { payload: data, headers: { 'content-type': 'image/jpeg', 'idempotency-key': 'img-1' } })
    assert.equal(replay.status, 200)
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    const other = await h.request('POST', `/v0/cards/images/${image.id}/data`, { payload: await jpeg(1024, 646), headers: { 'content-type': 'image/jpeg', 'idempotency-key': 'img-1' } })
    assert.deepEqual([other.status, other.body.code], [422, 'IDEMPOTENCY_INVALID_REUSE'], 'other bytes under the same key are another request')
  })
})
