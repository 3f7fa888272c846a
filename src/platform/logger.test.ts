import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { it } from 'node:test'
import { censor, censored, createLogger, loggerOptions } from './logger.js'

it('redacts SSNs, EINs, keys and the Authorization header wherever they appear', () => {
  const lines: string[] = []
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const log = createLogger('info', sink)
  log.info({ req: { headers: { authorization: 'Bearer keel_sk_secret' } } }, 'request')
  log.info({ person: { ssn: '123-45-6789', first_name: 'Ada' }, business: { ein: '12-3456789' } }, 'change')
  log.info({ body: { owner: { ssn: '987-65-4321' } }, api_key: 'keel_sk_other' }, 'nested')
  const out = lines.join('')
  for (const secret of ['keel_sk_secret', '123-45-6789', '12-3456789', '987-65-4321', 'keel_sk_other']) assert.ok(!out.includes(secret), secret)
  assert.ok(out.includes('Ada'), 'other fields are kept')
  assert.equal((out.match(/\[redacted\]/g) ?? []).length, 5)
})

it('censors secret fields at any depth, in arrays, in errors and in child bindings, without changing the logged objects', () => {
  const lines: string[] = []
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const log = createLogger('info', sink)
  const deep = { a: { b: { c: { d: { owner: { ssn: '111-22-3333', name: 'Grace' } } } } } }
  const list = { owners: [{ ssn: '444-55-6666' }, { name: 'Alan' }] }
  const err = Object.assign(new Error('card declined'), { pan: '4111111111111111', code: 'DECLINED' })
  log.info(deep, 'deep')
  log.info(list, 'list')
  log.error({ err }, 'failed')
  log.child({ reqId: 'r1', token: 'tok_live_secret' }).info({ pin: '1234' }, 'child')
  const out = lines.join('')
  for (const secret of ['111-22-3333', '444-55-6666', '4111111111111111', 'tok_live_secret', '"1234"']) assert.ok(!out.includes(secret), secret)
  for (const kept of ['Grace', 'Alan', 'DECLINED', 'card declined', '"reqId":"r1"']) assert.ok(out.includes(kept), kept)
  const failed = JSON.parse(lines[2]) as { err: { type: string; message: string; stack: string; pan: string } }
  assert.deepEqual([failed.err.type, failed.err.message, failed.err.pan], ['Error', 'card declined', censor])
  assert.ok(failed.err.stack.startsWith('Error: card declined'))
  // What was logged is left as it was.
  assert.equal(deep.a.b.c.d.owner.ssn, '111-22-3333')
  assert.equal(list.owners[0].ssn, '444-55-6666')
  assert.equal(err.pan, '4111111111111111')
})

it('censors fields of class instances, keeping their prototype, and stops at a cycle among them', () => {
  class Request { headers = { authorization: 'Bearer keel_sk_secret', host: 'keel' }; self?: Request }
  const req = new Request()
  req.self = req
  const out = censored({ req, at: new Date(0), bytes: Buffer.from('ssn') }) as { req: Request; at: Date; bytes: Buffer }
  assert.ok(out.req instanceof Request)
  assert.deepEqual(out.req.headers, { authorization: censor, host: 'keel' })
  assert.equal(out.req.self, censor)
  assert.equal(req.headers.authorization, 'Bearer keel_sk_secret')
  assert.equal(out.at.getTime(), 0)
  assert.equal(out.bytes.toString(), 'ssn')
})

it('returns an object that holds no secret as it is, and stops searching past eight levels', () => {
  const line = { method: 'POST', url: '/v0/transactions/internal_transfer', statusCode: 200, responseTime: 1.5, nested: { list: [1, { a: 'b' }] } }
  assert.equal(censored(line), line)
  let tooDeep: Record<string, unknown> = { ssn: '123-45-6789' }
  for (let i = 0; i < 9; i++) tooDeep = { next: tooDeep }
  assert.ok(!JSON.stringify(censored(tooDeep)).includes('123-45-6789'))
  let deepest: Record<string, unknown> = { ssn: '123-45-6789' }
  for (let i = 0; i < 8; i++) deepest = { next: deepest }
  const kept = JSON.stringify(censored(deepest))
  assert.ok(!kept.includes('123-45-6789') && kept.includes(`"ssn":"${censor}"`))
})

it('pretty-prints through pino-pretty on a terminal, and writes JSON lines otherwise', async () => {
  assert.deepEqual(loggerOptions('info', false).transport, undefined)
  const transport = loggerOptions('info', true).transport as { target: string }
  assert.equal(transport.target, 'pino-pretty')
  // The transport is a dependency pino can load.
  assert.ok(import.meta.resolve('pino-pretty'))
  const lines: string[] = []
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } })
  createLogger('info', sink).info('plain')
  assert.equal(JSON.parse(lines[0]).msg, 'plain')
})
