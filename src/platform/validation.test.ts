import assert from 'node:assert/strict'
import { it } from 'node:test'
import { Ajv } from 'ajv'
import { operations } from '../spec/schemas.js'
import { compileBody, withSpecFormats } from './validation.js'

it('loads the spec without warning about its misused format "US", and that format constrains nothing', () => {
  const warned: unknown[] = []
  const original = console.warn
  console.warn = (...args: unknown[]) => { warned.push(args) }
  try {
    const ajv = withSpecFormats(new Ajv({ strict: false, logger: { log: () => {}, warn: (...a: unknown[]) => warned.push(a), error: () => {} } }))
    const validate = ajv.compile({ type: 'object', properties: { country_code: { type: 'string', format: 'US' } } })
    assert.ok(validate({ country_code: 'CA' }))
    compileBody(operations.createPerson.body!)
  } finally {
    console.warn = original
  }
  assert.deepEqual(warned.filter((w) => String(w).includes('unknown format')), [])
})

it('takes an id as its 36 characters alone, and a url as any absolute http(s) URL (hosts are the outbound guard\'s)', () => {
  const validate = compileBody({ type: 'object', properties: { id: { type: 'string', format: 'uuid' }, url: { type: 'string', format: 'url' } } })
  for (const id of ['0193a2c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b', '0193A2C4-5B6D-7E8F-9A0B-1C2D3E4F5A6B']) assert.ok(validate({ id }), id)
  for (const id of ['urn:uuid:0193a2c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b', '0193a2c45b6d7e8f9a0b1c2d3e4f5a6b', '{0193a2c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b}']) assert.ok(!validate({ id }), id)
  for (const url of ['https://fintech.example.com/ach', 'http://localhost:3001/gw', 'http://127.0.0.1:9/x', 'http://[::1]/x']) assert.ok(validate({ url }), url)
  for (const url of ['ftp://x', 'fintech.example.com/ach', '/relative', 'http://', 'javascript:alert(1)']) assert.ok(!validate({ url }), url)
})
