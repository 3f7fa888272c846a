// Authentication holds on every registered route, whatever spelling of its path reaches the
// router: percent-encoded letters, encoded slashes, dot segments, doubled slashes. With no key a
// request gets 401, or 404 from the not-found handler; it never reaches a handler.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { isPublicRoute, registeredRoutes } from '../../src/platform/auth.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const hex = (c: string, upper: boolean) => {
  const x = c.charCodeAt(0).toString(16).padStart(2, '0')
  return '%' + (upper ? x.toUpperCase() : x)
}

/** Spellings of one concrete path that a lenient router or a proxy might take for it. */
export function encodedVariants(path: string): string[] {
  const segments = path.split('/').slice(1)
  const out = new Set<string>([path, path + '/', '/' + path, path.replace(/\//g, '//')])
  segments.forEach((seg, i) => {
    const at = (s: string) => '/' + [...segments.slice(0, i), s, ...segments.slice(i + 1)].join('/')
    if (seg.length === 0) return
    out.add(at(hex(seg[0], false) + seg.slice(1)))
    out.add(at(hex(seg[0], true) + seg.slice(1)))
    out.add(at([...seg].map((c) => hex(c, true)).join('')))
    out.add(at('%25' + hex(seg[0], false).slice(1) + seg.slice(1)))
    out.add(at('.' + '/' + seg))
    out.add(at('x/../' + seg))
    out.add(at('%2e/' + seg))
  })
  out.add(path.replace(/\//g, '%2F'))
  out.add(path.replace(/^\/v0\//, '/v0%2F'))
  out.add(path.replace(/^\/v0\//, '/V0/'))
  return [...out]
}

it('answers every registered route, in every encoding of its path, with 401 or the 404 handler when no key is sent', async () => {
  const routes = registeredRoutes(h.app).filter((r) => !isPublicRoute(r.url))
  assert.ok(routes.length > 100, `expected the whole API to be registered, got ${routes.length} routes`)
  let tried = 0
  for (const route of routes) {
    const path = route.url.replace(/:[A-Za-z_]+/g, () => uuidv7())
    for (const url of encodedVariants(path)) {
      for (const query of ['', '?limit=1']) {
        const res = await h.app.inject({ method: route.method as never, url: url + query, headers: { 'content-type': 'application/json' }, payload: route.method === 'GET' || route.method === 'HEAD' ? undefined : '{}' })
        tried++
        const where = `${route.method} ${url}${query} (route ${route.url})`
        if (route.method === 'HEAD') { assert.ok([401, 404].includes(res.statusCode), `${where}: ${res.statusCode}`); continue }
        const body = res.json()
        if (res.statusCode === 401) { assert.equal(body.code, 'UNAUTHENTICATED', where); continue }
        assert.equal(res.statusCode, 404, `${where}: ${res.statusCode} ${res.body.slice(0, 200)}`)
        assert.match(body.detail, /^no route for /, `${where} reached a handler: ${res.body.slice(0, 200)}`)
        assert.match(String(res.headers['content-type']), /application\/problem\+json/, where)
      }
    }
  }
  assert.ok(tried > 1000)
})

it('still serves the public routes without a key', async () => {
  for (const url of ['/health/live', '/v0/openapi.json']) assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 200, url)
})
