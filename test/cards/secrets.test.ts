// After a run through every card path that touches a secret, neither the database (every row of
// every table, idempotency records and events included) nor the log holds a PAN, CVV or PIN in
// clear. The log is taken at its most verbose level.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/platform/app.js'
import { createLogger } from '../../src/platform/logger.js'
import { groupedPan } from '../../src/cards/pan.js'
import { conformance } from '../support/conformance.js'
import { startHarness, type Harness } from '../support/harness.js'
import { cvvOf, holder, panOf, products } from './support.js'

let h: Harness
let app: FastifyInstance
const logLines: string[] = []
const spec = conformance()

before(async () => {
  h = await startHarness()
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(...String(chunk).split('\n').filter(Boolean)); done() } })
  app = await buildApp(h.services, createLogger('trace', sink))
  await app.ready()
})
after(async () => { await app.close(); await h.close() })

async function call(method: string, url: string, body?: unknown, key = 'issue-key-' + Math.random()): Promise<any> {
  const res = await app.inject({ method: method as never, url, headers: { authorization: `Bearer ${h.keys.a}`, 'idempotency-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: body === undefined ? undefined : JSON.stringify(body) })
  const parsed = res.body ? res.json() : undefined
  if (url.startsWith('/v0/')) spec.check(method, url, res.statusCode, res.headers['content-type'] as string | undefined, parsed)
  assert.ok(res.statusCode < 300, `${method} ${url} → ${res.statusCode} ${res.body}`)
  return parsed
}

/**
 * Every scalar of a value, with JSON held in strings opened up. A number is kept apart from text:
 * a CVV or PIN in clear is text, while an HTTP status or an amount that happens to equal this run's
 * random CVV (201 is one in a thousand) is not a leak. A PAN is looked for in both.
 */
type Scalar = { text: string; isNumber: boolean }
function scalars(v: unknown, out: Scalar[] = []): Scalar[] {
  if (v === null || v === undefined) return out
  if (Array.isArray(v)) { for (const x of v) scalars(x, out); return out }
  if (typeof v === 'object') { for (const x of Object.values(v as object)) scalars(x, out); return out }
  const text = String(v)
  out.push({ text, isNumber: typeof v === 'number' })
  if (/^[[{]/.test(text)) { try { scalars(JSON.parse(text), out) } catch { /* not JSON */ } }
  return out
}

describe('no card secret in clear', () => {
  it('leaves no PAN, CVV or PIN in the database or the log', async () => {
    const who = await holder(h)
    const p = await products(h)
    const base = { type: 'DEBIT', account_id: who.account.id, customer_id: who.person.id }
    const virtual = await call('POST', '/v0/cards', { ...base, form: 'VIRTUAL', card_product_id: p.virtual.id })
    const physical = await call('POST', '/v0/cards', { ...base, form: 'PHYSICAL', card_product_id: p.physical.id })
    const { barcode } = await call('GET', `/v0/cards/${physical.id}/barcodes`)
    await call('POST', '/v0/cards/activate', { activation_code: barcode, customer_id: who.person.id })
    await call('PATCH', `/v0/cards/${virtual.id}`, { card_status: 'SUSPENDED', memo: 'checking' })
    await call('PATCH', `/v0/cards/${virtual.id}`, { card_status: 'ACTIVE' })
    await call('GET', `/v0/cards?account_id=${who.account.id}`)
    await call('GET', `/v0/cards/${virtual.id}/changes`)
    await call('POST', `/v0/cards/${virtual.id}/digital_wallet_tokens/googlepay`, { device_id: 'd', device_type: 'MOBILE_PHONE', provisioning_app_version: '1', wallet_account_id: 'w' })
    const reissued = await call('POST', '/v0/cards', { ...base, form: 'VIRTUAL', card_product_id: p.virtual.id, reissued_from_id: virtual.id, reissue_reason: 'DAMAGED' })

    // The widget: the one place the card number and CVV leave Keel, to the cardholder's browser.
    const widget = async (action: string, payload: object) => {
      const res = await app.inject({ method: 'POST', url: `/widgets/cards/${h.workspaces.a}/api/${action}`, payload })
      assert.equal(res.statusCode, 200, res.body)
      return res.json()
    }
    const { client_token: t1 } = await call('POST', `/v0/cards/${reissued.id}/client_token`)
    const shown = await widget('card', { token: t1 })
    const { client_token: t2 } = await call('POST', `/v0/cards/${physical.id}/client_token`)
    await widget('set_pin', { token: t2, pin: '4829' })
    assert.equal(shown.pan, groupedPan(await panOf(h, reissued.id)), 'the widget did show the PAN')

    const pans = [await panOf(h, virtual.id), await panOf(h, physical.id)]
    const cvvs = [await cvvOf(h, virtual.id), await cvvOf(h, physical.id), await cvvOf(h, reissued.id)]
    const forbidden = ({ text: s, isNumber }: Scalar) =>
      pans.some((pan) => s.includes(pan) || s.includes(groupedPan(pan))) ||
      (!isNumber && (cvvs.includes(s) || s === '4829' || /"(pin|cvv|pan)"\s*:\s*"\d/.test(s)))

    // The check itself catches a planted secret in each form it looks for.
    for (const planted of [`card ${pans[0]}`, groupedPan(pans[1]), cvvs[0], '4829', '{"cvv":"123"}', Number(pans[0])]) assert.ok(scalars({ x: planted }).some(forbidden), String(planted))
    // …and lets a number through that only equals a CVV, as an HTTP status 201 would.
    assert.ok(!scalars({ status: Number(cvvs[0]) }).some(forbidden), 'a number equal to a CVV is not a secret')

    const tables = await h.sql<{ table_name: string }[]>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`
    let rowsSeen = 0
    for (const { table_name } of tables) {
      // Raw image bytes are not text; every other column is read as the database stores it.
      const rows = await h.sql`select to_jsonb(t) - 'data' as row from ${h.sql(table_name)} t`
      for (const { row } of rows) {
        rowsSeen++
        const leaked = scalars(row).filter(forbidden)
        assert.deepEqual(leaked, [], `${table_name} holds a secret in clear: ${JSON.stringify(row).slice(0, 300)}`)
      }
    }
    assert.ok(rowsSeen > 50, `the dump read the run's rows (${rowsSeen})`)
    const [{ n: events }] = await h.sql`select count(*)::int as n from events where type like 'CARD.%'`
    const [{ n: keys }] = await h.sql`select count(*)::int as n from idempotency_keys`
    assert.ok(events >= 8 && keys >= 8, 'events and idempotency records were written and checked')

    assert.ok(logLines.filter((l) => l.includes('request completed')).length >= 10, `the log was written (${logLines.length} lines)`)
    for (const line of logLines) {
      const leaked = scalars(JSON.parse(line)).filter(forbidden)
      assert.deepEqual(leaked, [], `a log line holds a secret: ${line.slice(0, 300)}`)
      for (const pan of pans) assert.ok(!line.includes(pan))
    }
  })
})

describe('log redaction', () => {
  it('redacts pan, cvv and pin fields wherever a logged object carries them', () => {
    const lines: string[] = []
    const log = createLogger('info', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } }))
    log.info({ pan: '4000110012345678', card: { cvv: '123', pin: '4829' }, req: { body: { pin: '9876', token: 'tok_secret' } } }, 'card')
    const out = lines.join('')
    // As any string the line holds, or within one for the long ones; not in its numbers or its
    // host's name: a PIN's four digits can be part of the line's time, pid or hostname.
    const texts = lines.flatMap((l) => scalars(JSON.parse(l)).filter((x) => !x.isNumber).map((x) => x.text))
    for (const secret of ['4000110012345678', '123', '4829', '9876', 'tok_secret']) {
      assert.ok(!texts.some((t) => t === secret || (secret.length >= 8 && t.includes(secret))), secret)
    }
    assert.equal((out.match(/\[redacted\]/g) ?? []).length, 5)
  })
})
