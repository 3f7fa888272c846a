// Rate limits (per key, per source, unknown keys), the cache of unknown keys, load shedding, and
// connection time-outs. Apps here are built with tight settings and a rate-limit clock the test
// moves; time-outs are measured on real sockets with bounds of a few hundred milliseconds.
import assert from 'node:assert/strict'
import { connect as tcpConnect, type AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppOptions } from '../../src/platform/app.js'
import type { Sql } from '../../src/platform/db.js'
import { createLogger } from '../../src/platform/logger.js'
import { sha256Hex } from '../../src/platform/crypto.js'
import { apiKeyCreatedChannel, createApiKey, forgetUnknownKeyHash, isKnownUnknownKey, workspaceForKeyCached } from '../../src/platform/workspaces.js'
import { conformance } from '../support/conformance.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
const apps: FastifyInstance[] = []
before(async () => { h = await startHarness() })
after(async () => {
  for (const app of apps) await app.close()
  await h.close()
})

const clock = { ms: 1_000_000 }
let queries = 0
/** The harness's database, counting the statements run through the pool. */
function countingSql(sql: Sql): Sql {
  return new Proxy(sql, { apply(target, self, args) { queries++; return Reflect.apply(target, self, args) } })
}

async function app(options: AppOptions): Promise<FastifyInstance> {
  const built = await buildApp({ ...h.services, sql: countingSql(h.sql) }, createLogger('silent'), { limitsNowMs: () => clock.ms, ...options })
  await built.ready()
  apps.push(built)
  return built
}

const get = (a: FastifyInstance, key: string | null, remoteAddress = '198.51.100.7', url = '/v0/disclosures') =>
  a.inject({ method: 'GET', url, remoteAddress, headers: key ? { authorization: `Bearer ${key}` } : {} })

/**
 * A refusal to wait: the Retry-After header says how long, and the body says it again as
 * `retry_after` only where the catalogue declares that member (TOO_MANY_REQUESTS); the body is
 * checked against the spec and the catalogue as every test's is.
 */
function assertLimited(res: Awaited<ReturnType<typeof get>>, code: string, status: number) {
  assert.equal(res.statusCode, status, res.body)
  const body = res.json()
  conformance().check('GET', '/v0/disclosures', res.statusCode, String(res.headers['content-type']), body)
  assert.equal(body.code, code)
  const seconds = Number(res.headers['retry-after'])
  assert.ok(Number.isInteger(seconds) && seconds >= 1, String(res.headers['retry-after']))
  assert.equal(body.retry_after, code === 'TOO_MANY_REQUESTS' ? seconds : undefined)
}

describe('rate limits', () => {
  it('limits each API key on its own, answering 429 TOO_MANY_REQUESTS with Retry-After, and refills with time', async () => {
    const a = await app({ limits: { keyPerSecond: 2, keyBurst: 3 } })
    for (let i = 0; i < 3; i++) assert.equal((await get(a, h.keys.a)).statusCode, 200)
    assertLimited(await get(a, h.keys.a), 'TOO_MANY_REQUESTS', 429)
    assert.equal((await get(a, h.keys.b)).statusCode, 200, 'another key has its own budget')
    clock.ms += 1_000
    assert.equal((await get(a, h.keys.a)).statusCode, 200)
    assert.equal((await get(a, h.keys.a)).statusCode, 200)
    assertLimited(await get(a, h.keys.a), 'TOO_MANY_REQUESTS', 429)
  })

  it('limits each source address, with or without a key', async () => {
    const a = await app({ limits: { sourcePerSecond: 5, sourceBurst: 5 } })
    for (let i = 0; i < 5; i++) assert.equal((await get(a, i % 2 ? h.keys.a : null, '203.0.113.9')).statusCode, i % 2 ? 200 : 401)
    assertLimited(await get(a, h.keys.a, '203.0.113.9'), 'TOO_MANY_REQUESTS', 429)
    assert.equal((await get(a, h.keys.a, '203.0.113.10')).statusCode, 200, 'another source has its own budget')
    assert.equal((await get(a, null, '203.0.113.9', '/health/live')).statusCode, 200, 'health probes are never limited')
  })

  it('looks an unknown key up once, and throttles a source guessing many', async () => {
    const a = await app({ limits: { unknownKeysPerSecond: 10, unknownKeysBurst: 20 } })
    const unknown = 'keel_sk_not_a_key_at_all'
    queries = 0
    for (let i = 0; i < 50; i++) assert.equal((await get(a, unknown, '192.0.2.50')).statusCode, 401)
    assert.equal(queries, 1, 'one lookup for fifty tries of the same key')

    queries = 0
    const statuses: number[] = []
    for (let i = 0; i < 200; i++) statuses.push((await get(a, `keel_sk_guess_${i}`, '192.0.2.51')).statusCode)
    assert.equal(statuses.filter((s) => s === 401).length, 20)
    assert.equal(statuses.filter((s) => s === 429).length, 180)
    assert.equal(queries, 20, 'guesses past the budget never reach the database')
    assertLimited(await get(a, 'keel_sk_guess_x', '192.0.2.51'), 'TOO_MANY_REQUESTS', 429)
    assert.equal((await get(a, h.keys.a, '192.0.2.51')).statusCode, 200, 'a valid key from that source still works')
  })

  it('forgets an unknown key once it is created, here or in another process (notified)', async () => {
    const ws = await h.newWorkspace('limits-new-key', 'sandbox')
    const key = `keel_sk_created_later_${Date.now()}`
    assert.equal(await workspaceForKeyCached(h.sql, key), undefined)
    assert.ok(isKnownUnknownKey(key))
    // Another process creates it: the row appears, and this one hears of it on the channel.
    let hear!: (hash: string) => void
    const heard = new Promise<string>((resolve) => { hear = resolve })
    const listener = await h.sql.listen(apiKeyCreatedChannel, (hash) => hear(hash))
    const created = await createApiKey(h.sql, ws.id)
    assert.equal(await heard, sha256Hex(created.apiKey))
    await listener.unlisten()
    await h.sql`update api_keys set key_hash = ${sha256Hex(key)} where id = ${created.id}`
    assert.equal(await workspaceForKeyCached(h.sql, key), undefined, 'still cached as unknown')
    forgetUnknownKeyHash(sha256Hex(key))
    assert.equal((await workspaceForKeyCached(h.sql, key))?.id, ws.id)
  })
})

describe('load shedding', () => {
  it(`answers 503 past the bound of requests in flight, at once, and recovers`, async () => {
    const a = await app({ limits: { requestsInFlightMax: 2 } })
    // Two requests that wait on a lock hold the two places.
    let release!: () => void
    const released = new Promise<void>((r) => { release = r })
    let locked!: () => void
    const isLocked = new Promise<void>((r) => { locked = r })
    const holder = h.sql.begin(async (tx) => {
      await tx`lock table disclosures in access exclusive mode`
      locked()
      await released
    })
    await isLocked
    const waiting = [get(a, h.keys.a), get(a, h.keys.a)]
    // Let both reach the database.
    for (let i = 0; i < 100; i++) {
      const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`
      if (n >= 2) break
      await new Promise((r) => setTimeout(r, 20))
    }
    const shed = await get(a, h.keys.a)
    assertLimited(shed, 'SERVICE_UNAVAILABLE', 503)
    assert.equal((await get(a, null, '198.51.100.7', '/health/live')).statusCode, 200, 'probes still answer')
    release()
    await holder
    for (const res of await Promise.all(waiting)) assert.equal(res.statusCode, 200)
    assert.equal((await get(a, h.keys.a)).statusCode, 200, 'the places are free again')
  })
})

describe('time-outs', () => {
  let port: number
  let server: FastifyInstance
  before(async () => {
    server = await app({ timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, connectionIdleTimeoutMs: 2_000, timeoutCheckIntervalMs: 100 } })
    await server.listen({ port: 0, host: '127.0.0.1' })
    port = (server.server.address() as AddressInfo).port
  })

  /** Sends `chunks` on a raw connection and resolves with what came back once the server closed it. */
  const converse = (chunks: string[]) => new Promise<{ text: string; closedAfterMs: number }>((resolve, reject) => {
    const started = Date.now()
    const socket = tcpConnect(port, '127.0.0.1', () => { for (const c of chunks) socket.write(c) })
    let text = ''
    socket.on('data', (d) => { text += d })
    socket.on('error', reject)
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }))
    setTimeout(() => { socket.destroy(); reject(new Error(`connection still open after 10 s; got ${text}`)) }, 10_000).unref()
  })

  it('closes a connection whose headers never finish, with 408 problem+json', async () => {
    const { text } = await converse(['GET /health/live HTTP/1.1\r\nHost: x\r\n'])
    assert.match(text, /^HTTP\/1\.1 408/)
    assert.match(text, /application\/problem\+json/)
    assert.match(text, /"code":"REQUEST_TIMEOUT"/)
  })

  it('closes a connection whose body never finishes', async () => {
    const { text } = await converse([`POST /v0/persons HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.keys.a}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"is_customer"`])
    assert.match(text, /^HTTP\/1\.1 408/)
  })

  it('closes an idle keep-alive connection', async () => {
    const { text } = await converse(['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n'])
    assert.match(text, /^HTTP\/1\.1 200/)
  })
})
