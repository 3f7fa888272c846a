// Input Keel cannot store faithfully is refused at the door with 400 problem+json, and nothing is
// written: lone surrogates, nesting past the bound, numbers JSON cannot keep, invalid UTF-8, keys
// that could replace a prototype; a URL that is not UTF-8, an over-long path parameter, headers too
// large; `limit` other than decimal.
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { jsonNestingDepth, jsonNestingDepthMax } from '../../src/platform/json-body.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const personCount = async () => (await h.sql<{ n: number }[]>`select count(*)::int as n from persons`)[0].n
const person = (extra: string) => `{"is_customer": true, "status": "ACTIVE", "first_name": "Ada", "last_name": "L"${extra}}`

function assertProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string, what: string) {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`)
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what)
  assert.equal(res.body.code, code, what)
}

describe('request bodies', () => {
  it('refuses a lone surrogate in any string, stored as text or as JSON, with 400 and writes nothing', async () => {
    const before = await personCount()
    for (const extra of [
      ', "middle_name": "\\ud800"', ', "middle_name": "a\\udfffb"', ', "metadata": {"k": "\\ud800"}', ', "metadata": {"\\udc00": 1}',
      ', "legal_address": {"address_line_1": "\\ud83d", "city": "X", "country_code": "US", "postal_code": "10001", "state": "NY"}',
    ]) {
      assertProblem(await h.request('POST', '/v0/persons', { payload: person(extra) }), 400, 'BAD_REQUEST_BODY', extra)
    }
    assert.equal(await personCount(), before)
    // A surrogate pair is a character like any other.
    const ok = await h.request('POST', '/v0/persons', { payload: person(', "middle_name": "\\ud83d\\ude00"') })
    assert.equal(ok.status, 201, JSON.stringify(ok.body))
    assert.equal(ok.body.middle_name, '😀')
  })

  it('refuses nesting deeper than the bound with 400, however deep, before anything recurses', async () => {
    const before = await personCount()
    for (const depth of [jsonNestingDepthMax + 1, 20_000, 200_000]) {
      const nested = '['.repeat(depth) + ']'.repeat(depth)
      const res = await h.request('POST', '/v0/persons', { payload: person(`, "metadata": {"deep": ${nested}}`), headers: { 'idempotency-key': `deep-${depth}` } })
      assertProblem(res, 400, 'BAD_REQUEST_BODY', `depth ${depth}`)
    }
    assert.equal(await personCount(), before)
    const within = '['.repeat(10) + ']'.repeat(10)
    assert.equal((await h.request('POST', '/v0/persons', { payload: person(`, "metadata": {"deep": ${within}}`) })).status, 201)
  })

  it('counts nesting without being fooled by brackets inside strings', () => {
    assert.equal(jsonNestingDepth('{"a": "[[[[", "b": [{"c": "\\"]]"}]}'), 3)
    assert.equal(jsonNestingDepth('"{{{"'), 0)
  })

  it('refuses numbers JSON cannot keep exactly, and invalid UTF-8, with 400', async () => {
    for (const extra of [', "metadata": {"n": 1e400}', ', "metadata": {"n": -1e999}', ', "metadata": {"n": 123456789012345678901234567890}']) {
      assertProblem(await h.request('POST', '/v0/persons', { payload: person(extra) }), 400, 'BAD_REQUEST_BODY', extra)
    }
    const invalid = Buffer.concat([Buffer.from(person('').slice(0, -1) + ', "middle_name": "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])
    assertProblem(await h.request('POST', '/v0/persons', { payload: invalid }), 400, 'BAD_REQUEST_BODY', 'invalid UTF-8')
  })

  it('refuses a key that could replace a prototype with 400 naming it, and text that is not JSON as not JSON', async () => {
    const before = await personCount()
    for (const extra of [', "__proto__": {"x": 1}', ', "metadata": {"constructor": {"prototype": {"x": 1}}}']) {
      const res = await h.request('POST', '/v0/persons', { payload: person(extra) })
      assertProblem(res, 400, 'BAD_REQUEST_BODY', extra)
      assert.match(res.body.detail, /"__proto__" key, or a "constructor" key holding "prototype"/, extra)
    }
    const truncated = await h.request('POST', '/v0/persons', { payload: person('').slice(0, -1) })
    assertProblem(truncated, 400, 'BAD_REQUEST_BODY', 'truncated')
    assert.equal(truncated.body.detail, 'request body is not valid JSON')
    assert.equal(await personCount(), before)
  })
})

describe('URLs and headers', () => {
  it('answers a URL that is not UTF-8 with 400 problem+json', async () => {
    for (const url of ['/v0/persons/%E0%A4%A', '/v0/persons/%C3%28', '/v0/persons/%FF']) {
      const res = await h.request('GET', url, { unchecked: true })
      assertProblem(res, 400, 'BAD_REQUEST', url)
    }
  })

  it('answers an over-long path parameter with 404 problem+json', async () => {
    assertProblem(await h.request('GET', `/v0/persons/${'a'.repeat(500)}`), 404, 'RESOURCE_NOT_FOUND', 'long parameter')
  })

  it('answers headers too large with 431 problem+json, on a real socket', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const { port } = h.app.server.address() as AddressInfo
      const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/v0/persons', headers: { 'x-big': 'x'.repeat(64 * 1024) } }, (r) => {
          let body = ''
          r.on('data', (c) => { body += c })
          r.on('end', () => resolve({ status: r.statusCode!, type: String(r.headers['content-type']), body }))
        })
        req.on('error', reject)
        req.end()
      })
      assert.equal(res.status, 431)
      assert.match(res.type, /^application\/problem\+json/)
      assert.equal(JSON.parse(res.body).code, 'HEADERS_TOO_LARGE')
    } finally {
      await h.app.server.close()
    }
  })
})

describe('limit', () => {
  it('takes only decimal integers from 1, clamping larger ones to 100, and refuses anything else with 400', async () => {
    for (const limit of ['Infinity', '-Infinity', '0x10', '1e2', '%205', '5%20', '1.5', '0', '-1', 'NaN', '', '+5', 'ten']) {
      assertProblem(await h.request('GET', `/v0/persons?limit=${limit}`), 400, 'BAD_QUERY_PARAMETER', `limit=${limit}`)
    }
    for (const limit of ['1', '007', '100', '150', '99999999999999999999']) {
      const res = await h.request('GET', `/v0/persons?limit=${limit}`)
      assert.equal(res.status, 200, `limit=${limit}: ${JSON.stringify(res.body)}`)
    }
  })
})
