// The card widget in a real browser: Debian's Chromium, headless, driven by playwright-core. A
// test page on another origin embeds the widget in an iframe, as a fintech's app would.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { groupedPan } from '../../src/cards/pan.js'
import { pinMatches } from '../../src/cards/service.js'
import { accessTokenLifetimeMs } from '../../src/cards/tokens.js'
import { setWidgetOrigins } from '../../src/cards/widget/workspace.js'
import { startHarness, type Harness } from '../support/harness.js'
import { cvvOf, holder, issue, panOf, products, type Holder } from './support.js'

const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
export const screenshotDir = join(process.env.KEEL_SCREENSHOT_DIR ?? join(import.meta.dirname, '..', '..', '.keel', 'screenshots'))

let h: Harness
let p: Awaited<ReturnType<typeof products>>
let who: Holder
let browser: Browser
let keel: string
const hosts: { server: Server; origin: string }[] = []
let offsetMs = 0
const clock = { now: () => new Date(Date.now() + offsetMs) }

/** A page on its own origin that frames `src`, as a fintech's app would. */
async function hostPage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? ''
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><html><body style="font-family:sans-serif;background:#f4f5f7"><h3>Fintech app</h3><iframe id="w" title="card" style="border:0;width:420px;height:300px;background:#fff" src="${src.replace(/"/g, '&quot;')}"></iframe></body></html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  const host = { server, origin: `http://127.0.0.1:${address.port}` }
  hosts.push(host)
  return host
}

before(async () => {
  h = await startHarness({ clock })
  p = await products(h)
  who = await holder(h)
  keel = await h.app.listen({ port: 0, host: '127.0.0.1' })
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags })
  mkdirSync(screenshotDir, { recursive: true })
})
after(async () => {
  await browser?.close()
  for (const { server } of hosts) await new Promise((r) => server.close(r))
  await h.close()
})

async function open(host: { origin: string }, src: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 520, height: 400 } })
  await page.goto(`${host.origin}/?src=${encodeURIComponent(src)}`)
  return page
}

const clientToken = async (cardId: string) => {
  const res = await h.request('POST', `/v0/cards/${cardId}/client_token`)
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.client_token as string
}

describe('card widget in Chromium', () => {
  let host: { origin: string }
  before(async () => {
    host = await hostPage()
    await setWidgetOrigins(h.sql, h.workspaces.a, [host.origin])
  })

  it('shows the PAN, CVV and expiry inside an iframe on the fintech page; the token works once', async () => {
    const card = await issue(h, who, p.virtual)
    const url = `${keel}/widgets/cards/${h.workspaces.a}/show_card#token=${await clientToken(card.id)}`
    const page = await open(host, url)
    const frame = page.frameLocator('#w')
    await frame.locator('#pan').filter({ hasNotText: '•' }).waitFor()
    assert.equal(await frame.locator('#pan').textContent(), groupedPan(await panOf(h, card.id)))
    assert.equal(await frame.locator('#cvv').textContent(), await cvvOf(h, card.id))
    assert.equal(await frame.locator('#exp').textContent(), `${card.expiration_month}/${card.expiration_year}`)
    await page.screenshot({ path: join(screenshotDir, 'show-card.png') })
    await page.close()

    const reused = await open(host, url)
    const refused = reused.frameLocator('#w').locator('#refused')
    await refused.waitFor()
    assert.match((await refused.textContent())!, /already been used/)
    assert.equal(await reused.frameLocator('#w').locator('#pan').count(), 0, 'a refused token shows nothing but the message')
    await reused.screenshot({ path: join(screenshotDir, 'token-reused.png') })
    await reused.close()
  })

  it('refuses an expired token with a clear message and nothing else', async () => {
    const card = await issue(h, who, p.virtual)
    const token = await clientToken(card.id)
    offsetMs = accessTokenLifetimeMs + 1000
    try {
      const page = await open(host, `${keel}/widgets/cards/${h.workspaces.a}/show_card#token=${token}`)
      const refused = page.frameLocator('#w').locator('#refused')
      await refused.waitFor()
      assert.match((await refused.textContent())!, /expired/)
      assert.equal(await page.frameLocator('#w').locator('.card').count(), 0)
      await page.screenshot({ path: join(screenshotDir, 'token-expired.png') })
      await page.close()
    } finally { offsetMs = 0 }
    const [row] = await h.sql`select used_at from card_access_tokens where card_id = ${card.id}`
    assert.equal(row.used_at, null, 'an expired token was not used')
  })

  it('sets a PIN, stored only as a salted hash, and records the change', async () => {
    const card = await issue(h, who, p.virtual)
    const page = await open(host, `${keel}/widgets/cards/${h.workspaces.a}/set_pin#token=${await clientToken(card.id)}`)
    const frame = page.frameLocator('#w')
    await frame.locator('#pin').fill('4829')
    await frame.locator('#pin2').fill('4829')
    await page.screenshot({ path: join(screenshotDir, 'set-pin.png') })
    await frame.locator('button').click()
    await frame.locator('.message.done').waitFor()
    assert.equal(await frame.locator('.message.done').textContent(), 'Your PIN is set.')
    await page.screenshot({ path: join(screenshotDir, 'set-pin-done.png') })
    await page.close()
    const got = await h.request('GET', `/v0/cards/${card.id}`)
    assert.equal(got.body.is_pin_set, true)
    assert.ok(got.body.timestamp_pin_set)
    const [row] = await h.sql`select pin_hash from cards where id = ${card.id}`
    assert.ok(!row.pin_hash.includes('4829'))
    assert.ok(await pinMatches('4829', row.pin_hash))
    assert.ok(!(await pinMatches('4830', row.pin_hash)))
    const changes = await h.request('GET', `/v0/cards/${card.id}/changes`)
    assert.deepEqual([changes.body.changes[0].change_type, changes.body.changes[0].state], ['PIN', 'SET'])
  })

  it('activates a physical card from the card_widget_url with a single-use token and the card\'s CVV', async () => {
    const card = await issue(h, who, p.physical)
    const widget = await h.request('GET', `/v0/cards/card_widget_url?account_id=${who.account.id}&customer_id=${who.person.id}&widget_type=activate_card&card_id=${card.id}`)
    assert.equal(widget.status, 200, JSON.stringify(widget.body))
    const single = await h.request('POST', '/v0/cards/single_use_token', { body: { account_id: who.account.id, customer_id: who.person.id } })
    assert.equal(single.status, 201)
    const url = new URL(widget.body.url)
    const page = await open(host, `${keel}${url.pathname}${url.search}#token=${single.body.token}`)
    const frame = page.frameLocator('#w')
    await frame.locator('#cvv').fill(await cvvOf(h, card.id))
    await frame.locator('button').click()
    await frame.locator('.message.done').waitFor()
    await page.screenshot({ path: join(screenshotDir, 'activate-done.png') })
    await page.close()
    assert.equal((await h.request('GET', `/v0/cards/${card.id}`)).body.card_status, 'ACTIVE')
  })

  it('cannot be framed by an origin the workspace did not configure', async () => {
    const card = await issue(h, who, p.virtual)
    const stranger = await hostPage()
    const page = await open(stranger, `${keel}/widgets/cards/${h.workspaces.a}/show_card#token=${await clientToken(card.id)}`)
    // The browser blocks the framed document: it never runs, so the token stays unused.
    await page.waitForLoadState('load')
    const frame = page.frames().find((f) => f !== page.mainFrame())!
    assert.ok(frame, 'the iframe exists')
    assert.equal(await frame.locator('#pan').count(), 0)
    await page.screenshot({ path: join(screenshotDir, 'framing-refused.png') })
    await page.close()
    const [row] = await h.sql`select used_at from card_access_tokens where card_id = ${card.id}`
    assert.equal(row.used_at, null)
  })
})

describe('widget pages over HTTP', () => {
  it('send a strict Content-Security-Policy naming only the configured origins', async () => {
    await setWidgetOrigins(h.sql, h.workspaces.b, [])
    const none = await h.app.inject({ method: 'GET', url: `/widgets/cards/${h.workspaces.b}/set_pin` })
    assert.equal(none.statusCode, 200)
    assert.match(String(none.headers['content-security-policy']), /frame-ancestors 'none'/)
    assert.match(String(none.headers['content-security-policy']), /default-src 'none'; script-src 'self'/)
    assert.equal(none.headers['cache-control'], 'no-store')
    await setWidgetOrigins(h.sql, h.workspaces.b, ['https://app.fintech.example', 'https://admin.fintech.example:8443'])
    const some = await h.app.inject({ method: 'GET', url: `/widgets/cards/${h.workspaces.b}/show_card` })
    assert.match(String(some.headers['content-security-policy']), /frame-ancestors https:\/\/admin\.fintech\.example:8443 https:\/\/app\.fintech\.example$/)
    await assert.rejects(setWidgetOrigins(h.sql, h.workspaces.b, ['https://x.example/path']))
    await assert.rejects(setWidgetOrigins(h.sql, h.workspaces.b, ["https://x.example; script-src *"]))
    for (const url of [`/widgets/cards/${h.workspaces.b}/nope`, '/widgets/cards/not-a-uuid/show_card', '/widgets/cards/00000000-0000-7000-8000-000000000000/show_card']) {
      assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 404, url)
    }
  })

  it('binds tokens to their card, their kind and their workspace', async () => {
    const card = await issue(h, who, p.virtual)
    const other = await issue(h, who, p.virtual)
    const call = (ws: string, action: string, payload: object) => h.app.inject({ method: 'POST', url: `/widgets/cards/${ws}/api/${action}`, payload })
    const t1 = await clientToken(card.id)
    assert.equal((await call(h.workspaces.b, 'card', { token: t1 })).statusCode, 404, 'another workspace does not know the token')
    const wrongCard = await call(h.workspaces.a, 'card', { token: t1, card_id: other.id })
    assert.equal(wrongCard.statusCode, 403)
    const single = await h.request('POST', '/v0/cards/single_use_token', { body: { account_id: who.account.id, customer_id: who.person.id } })
    const pan = await call(h.workspaces.a, 'card', { token: single.body.token, card_id: card.id })
    assert.equal(pan.statusCode, 403, 'a single-use token does not reveal the card number')
    const garbage = await call(h.workspaces.a, 'card', { token: 'x'.repeat(43) })
    assert.equal(garbage.statusCode, 404)
    const weak = await call(h.workspaces.a, 'set_pin', { token: await clientToken(card.id), pin: '1111' })
    assert.equal(weak.statusCode, 400)
    assert.equal((await h.request('GET', `/v0/cards/${card.id}`)).body.is_pin_set, false)
  })

  it('refuses token requests that name what the workspace does not hold', async () => {
    const stranger = await issue(h, await holder(h), p.virtual)
    const table: { method: string; url: string; body?: object; status: number }[] = [
      { method: 'POST', url: '/v0/cards/single_use_token', body: { account_id: who.account.id }, status: 400 },
      { method: 'POST', url: '/v0/cards/single_use_token', body: { account_id: who.account.id, customer_id: stranger.customer_id }, status: 422 },
      { method: 'POST', url: '/v0/cards/single_use_token', body: { account_id: '00000000-0000-7000-8000-000000000000', customer_id: who.person.id }, status: 400 },
      { method: 'GET', url: `/v0/cards/card_widget_url?account_id=${who.account.id}&customer_id=${who.person.id}&widget_type=show_pan`, status: 400 },
      { method: 'GET', url: `/v0/cards/card_widget_url?account_id=${who.account.id}&customer_id=${who.person.id}&widget_type=set_pin&card_id=${stranger.id}`, status: 400 },
      { method: 'GET', url: `/v0/cards/card_widget_url?account_id=${who.account.id}&widget_type=set_pin`, status: 400 },
    ]
    for (const { method, url, body, status } of table) {
      const res = await h.request(method, url, { body })
      assert.equal(res.status, status, `${url} ${JSON.stringify(body)} → ${JSON.stringify(res.body)}`)
    }
    const ok = await h.request('GET', `/v0/cards/card_widget_url?account_id=${who.account.id}&customer_id=${who.person.id}&widget_type=set_pin`)
    assert.match(ok.body.url, new RegExp(`/widgets/cards/${h.workspaces.a}/set_pin\\?account_id=`))
  })
})
