import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { newSecret, sign, signatureHeader, verifySignature } from './signing.js'

const vectorFile = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'webhook-signature-test-vector.json')
// The reference vector, copied so the test runs without the reference folder; checked against it when present.
const vector = {
  secret: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  timestamp: '1714564800',
  rawBody: '{"id":"3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","type":"ACCOUNT.CREATED","event_time":"2024-05-01T12:00:00Z","resource_id":"7d943c51-e4ff-4e57-9558-08cab6b963c7","webhook_id":"046b6c7f-0b8a-43b9-b35d-6489e6daee91","url":"https://example.com/webhooks/synctera","metadata":"","event_resource":"{\\"id\\": \\"7d943c51-e4ff-4e57-9558-08cab6b963c7\\", \\"status\\": \\"ACTIVE\\", \\"account_type\\": \\"CHECKING\\"}","status":"RUNNING"}',
  expected: '2276b8afeac0469ca678408f3e225e129b3ba7b838fa6bacd31cfb11cff5ebd2',
  oldSecret: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  rotationExpected: '2276b8afeac0469ca678408f3e225e129b3ba7b838fa6bacd31cfb11cff5ebd2.ec61a11d87dddfa830ceaf759958238b3d13eeed1cf03a264e24f7963b460cb5',
}
const now = Number(vector.timestamp)

describe('webhook signing (reference test vector)', () => {
  it('the copy matches the reference file', { skip: !existsSafe(vectorFile) }, () => {
    const ref = JSON.parse(readFileSync(vectorFile, 'utf8'))
    assert.equal(ref.secret, vector.secret)
    assert.equal(ref.request_timestamp_header, vector.timestamp)
    assert.equal(ref.raw_body, vector.rawBody)
    assert.equal(ref.expected_headers['Synctera-Signature'], vector.expected)
    assert.equal(ref.rotation_case.old_secret, vector.oldSecret)
    assert.equal(ref.rotation_case.new_secret, vector.secret)
    assert.equal(ref.rotation_case['Synctera-Signature'], vector.rotationExpected)
    assert.equal(ref.signed_string, `${vector.timestamp}.${vector.rawBody}`)
  })

  it('signs timestamp + "." + raw body with the secret', () => {
    assert.equal(sign(vector.secret, vector.timestamp, vector.rawBody), vector.expected)
    assert.equal(signatureHeader([vector.secret], vector.timestamp, Buffer.from(vector.rawBody)), vector.expected)
  })

  it('joins the new and the old signature with "." during a rolling replacement', () => {
    assert.equal(signatureHeader([vector.secret, vector.oldSecret], vector.timestamp, vector.rawBody), vector.rotationExpected)
  })

  it('verifies with either secret during rotation, and only with a valid one', () => {
    const input = { header: vector.rotationExpected, timestamp: vector.timestamp, rawBody: vector.rawBody, nowSeconds: now }
    assert.ok(verifySignature({ ...input, secrets: [vector.secret] }))
    assert.ok(verifySignature({ ...input, secrets: [vector.oldSecret] }))
    assert.ok(!verifySignature({ ...input, secrets: [newSecret()] }))
  })

  it('rejects a re-serialized body, a stale or future timestamp, and malformed headers', () => {
    const ok = { header: vector.expected, timestamp: vector.timestamp, rawBody: vector.rawBody, secrets: [vector.secret], nowSeconds: now }
    assert.ok(verifySignature(ok))
    assert.ok(!verifySignature({ ...ok, rawBody: JSON.stringify(JSON.parse(vector.rawBody), null, 1) }))
    assert.ok(!verifySignature({ ...ok, nowSeconds: now + 10 * 60 }))
    assert.ok(!verifySignature({ ...ok, nowSeconds: now - 10 * 60 }))
    assert.ok(verifySignature({ ...ok, nowSeconds: now + 4 * 60 }))
    for (const header of [undefined, '', 'zz', vector.expected.toUpperCase(), vector.expected.slice(1), `${vector.expected}00`]) {
      assert.ok(!verifySignature({ ...ok, header }), String(header))
    }
    for (const timestamp of [undefined, '', '1714564800.5', 'abc']) assert.ok(!verifySignature({ ...ok, timestamp }), String(timestamp))
  })

  it('makes 64-character hex secrets, each new', () => {
    const a = newSecret()
    assert.match(a, /^[0-9a-f]{64}$/)
    assert.notEqual(a, newSecret())
  })
})

function existsSafe(path: string): boolean {
  try { readFileSync(path); return true } catch { return false }
}
