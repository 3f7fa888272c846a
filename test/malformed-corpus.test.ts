// The malformed-input corpus, run against every operation Keel serves (as moov-io/ach keeps its
// crashers): lone surrogates, deep nesting, huge numbers, NUL, invalid UTF-8, encoded and odd
// paths, odd `limit` values, wrong content types. Whatever Keel makes of them, it never answers
// 5xx; every refusal is application/problem+json with a catalogue code and only the members the
// catalogue declares for it; and an operation that takes JSON answers any other media type 415.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { operations, type OperationId } from '../src/spec/schemas.js'
import { uuidv7 } from '../src/platform/ids.js'
import { startHarness, type Harness } from './support/harness.js'
import { conformance } from './support/conformance.js'
import { errorCatalogue, undeclaredProblemMembers } from './support/problems.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })


const deep = (n: number) => '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}'
/** Bodies no valid request looks like, as raw bytes and the content type they are sent with. */
const badBodies: Array<[string, string | Buffer, string]> = [
  ['lone high surrogate', '{"a": "\\ud800"}', 'application/json'],
  ['lone low surrogate in a key', '{"\\udc00": "x"}', 'application/json'],
  ['nesting 100 deep', deep(100), 'application/json'],
  ['nesting 20,000 deep', deep(20_000), 'application/json'],
  ['a huge number', '{"amount": 1e400, "limit": 99999999999999999999999999}', 'application/json'],
  ['a huge negative number', '{"amount": -1e309}', 'application/json'],
  ['NUL', '{"a": "x\\u0000y"}', 'application/json'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'application/json'],
  ['truncated JSON', '{"a": [1, 2', 'application/json'],
  ['JSON null', 'null', 'application/json'],
  ['a JSON array', '[]', 'application/json'],
  ['a JSON string', '"x"', 'application/json'],
  ['a JSON number', '12', 'application/json'],
  ['an empty body', '', 'application/json'],
  ['__proto__', '{"__proto__": {"x": 1}}', 'application/json'],
  ['text/plain', 'hello', 'text/plain'],
  ['XML', '<a/>', 'application/xml'],
  ['form data', 'a=1&b=2', 'application/x-www-form-urlencoded'],
  ['multipart', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--', 'multipart/form-data; boundary=x'],
  ['JSON under a charset it is not', '{"a": 1}', 'application/json; charset=utf-16'],
]
/** Path parameter values no id looks like. */
const badParams = ['%ED%A0%80', '%00', '%FF', '%E0%A4%A', '..%2F..%2Fetc', 'x'.repeat(150), '%2e%2e', '-1', '9'.repeat(40), '%F0%9F%98%80']
const badLimits = ['Infinity', '0x10', '1e2', '0', '-1', '1.5', '', 'NaN', '%00', '%ED%A0%80', '99999999999999999999999999999', '1'.repeat(400)]

function assertClean(res: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string) {
  assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`)
  if (res.statusCode >= 400) {
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: ${res.headers['content-type']}`)
    const body = JSON.parse(res.body)
    assert.ok(errorCatalogue.has(body.code), `${what}: code ${body.code} is not in the catalogue`)
    assert.equal(body.status, res.statusCode, what)
    assert.deepEqual(undeclaredProblemMembers(body), [], `${what}: ${res.body.slice(0, 300)}`)
  }
}

/** The media types an operation's request body takes, by the spec (application/json when it declares no body). */
function bodyTypesOf(id: OperationId): string[] {
  const spec = conformance().spec
  const op = operations[id]
  let body = spec.paths[op.path.replace(/:(\w+)/g, '{$1}')]?.[op.method.toLowerCase()]?.requestBody
  if (body?.$ref) body = spec.components.requestBodies[body.$ref.split('/').pop()]
  const types = Object.keys(body?.content ?? {})
  return types.length ? types : ['application/json']
}

it('answers every operation, fed the corpus, without a 5xx and with problem+json on every refusal', async () => {
  const auth = { authorization: `Bearer ${h.keys.a}` }
  let sent = 0
  let withParams = 0
  for (const id of Object.keys(operations) as OperationId[]) {
    const op = operations[id]
    const names = [...op.path.matchAll(/:(\w+)/g)].map((m) => m[1])
    const pathWith = (value: (name: string) => string) => '/v0' + op.path.replace(/:(\w+)/g, (_m, name: string) => value(name))
    const goodPath = pathWith(() => uuidv7())
    const send = async (url: string, payload?: string | Buffer, contentType?: string) => {
      const headers: Record<string, string> = { ...auth }
      if (contentType) headers['content-type'] = contentType
      const res = await h.app.inject({ method: op.method as never, url, headers, payload })
      sent++
      assertClean(res, `${id}: ${op.method} ${url.slice(0, 120)}${contentType ? ` [${contentType}]` : ''}`)
      return res
    }
    if (names.length) withParams++
    for (const bad of badParams) if (names.length) await send(pathWith(() => bad))
    const queryNames = Object.keys((op.query as { properties?: object }).properties ?? {})
    if (queryNames.includes('limit')) for (const limit of badLimits) await send(`${goodPath}?limit=${limit}`)
    for (const name of queryNames) {
      for (const value of ['%00', '%ED%A0%80', '%FF', '1e400', '99999999999999999999', '-99999999999999999999', 'x'.repeat(5000)]) await send(`${goodPath}?${name}=${value}`)
    }
    if (op.method !== 'GET' && op.method !== 'DELETE') {
      const jsonOnly = bodyTypesOf(id).join() === 'application/json'
      for (const [name, payload, type] of badBodies) {
        const res = await send(goodPath, payload, type)
        if (jsonOnly && !type.startsWith('application/json')) assert.equal(res.statusCode, 415, `${id} [${name}]: ${res.body.slice(0, 300)}`)
      }
      // A declared string field given a lone surrogate, an integer field a huge number.
      const props = Object.entries((op.body as { properties?: Record<string, { type?: string }> } | undefined)?.properties ?? {})
      for (const [name, schema] of props) {
        if (schema.type === 'string') await send(goodPath, `{"${name}": "a\\ud800"}`, 'application/json')
        if (schema.type === 'integer' || schema.type === 'number') await send(goodPath, `{"${name}": 1e400}`, 'application/json')
        if (schema.type === 'object') await send(goodPath, `{"${name}": ${deep(5_000)}}`, 'application/json')
      }
    }
  }
  assert.ok(sent > 1_500, `sent ${sent}`)
  // Paths are written /persons/:person_id: every operation with an id in its path was fed the odd ids.
  assert.ok(withParams >= 70, `${withParams} operations with path parameters`)
})
