import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { it } from 'node:test'
import { createLogger, loggerOptions } from './logger.js'

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
