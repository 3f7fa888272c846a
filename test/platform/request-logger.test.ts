// A request's logger is made only when something logs through it; its lines, and the access line
// the server's logger writes for every request, carry the request's id either way.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/platform/app.js'
import { createLogger } from '../../src/platform/logger.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
let app: FastifyInstance
const lines: Record<string, unknown>[] = []
let children = 0

before(async () => {
  h = await startHarness()
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)); done() } })
  const logger = createLogger('info', sink)
  // Counts the children made of the server's logger (a child's own children are not its).
  const child = logger.child.bind(logger)
  logger.child = ((bindings: Record<string, unknown>, options?: object) => { children++; return child(bindings, options) }) as typeof logger.child
  app = await buildApp(h.services, logger)
  app.get('/warns', async (req) => { req.log.warn({ detail: 'something odd' }, 'a warning'); return { ok: true } })
  await app.ready()
})
after(async () => { await app.close(); await h.close() })

it('writes each access line with the request id, without making the request a logger of its own', async () => {
  const before = children
  const res = await app.inject({ method: 'GET', url: '/v0/customers', headers: { authorization: `Bearer ${h.keys.a}`, 'x-request-id': 'req-plain' } })
  assert.equal(res.statusCode, 200)
  assert.equal(children, before, 'no child logger for a request that logs nothing of its own')
  const access = lines.filter((l) => l.reqId === 'req-plain')
  assert.deepEqual(access.map((l) => [l.msg, l.method, l.url, l.statusCode, l.level]), [['request completed', 'GET', '/v0/customers', 200, 30]])
  assert.equal(typeof access[0].responseTime, 'number')
})

it("makes the request's logger when something logs through it, bound to the request id", async () => {
  const before = children
  const res = await app.inject({ method: 'GET', url: '/warns', headers: { authorization: `Bearer ${h.keys.a}`, 'x-request-id': 'req-warns' } })
  assert.equal(res.statusCode, 200)
  assert.equal(children, before + 1)
  const mine = lines.filter((l) => l.reqId === 'req-warns')
  assert.deepEqual(mine.map((l) => [l.msg, l.level]), [['a warning', 40], ['request completed', 30]])
  assert.equal(mine[0].detail, 'something odd')
})
