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
