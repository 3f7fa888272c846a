import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isUuid, nameBasedId, uuidv7 } from './ids.js'

describe('uuidv7', () => {
  it('writes RFC 9562 version 7 ids: the time in the first 48 bits, the version, the variant', () => {
    const at = Date.UTC(2026, 10, 30, 12, 34, 56, 789)
    const id = uuidv7(at)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.ok(isUuid(id))
    const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
    assert.ok(ms >= at, `${ms} is not before ${at}`)
  })

  it('hands out distinct, strictly increasing ids, within one millisecond and across many', () => {
    const at = Date.now() + 60_000
    const ids: string[] = []
    for (let i = 0; i < 5000; i++) ids.push(uuidv7(at + Math.floor(i / 1000)))
    assert.equal(new Set(ids).size, ids.length)
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} then ${ids[i]}`)
  })

  it('spreads its random bits: each hex digit after the version takes many values', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>())
    for (let i = 0; i < 2000; i++) [...uuidv7()].forEach((c, k) => seen[k].add(c))
    // The random tail (the last 12 digits) takes every hex digit in 2,000 ids.
    for (let k = 24; k < 36; k++) assert.equal(seen[k].size, 16, `digit ${k}`)
  })
})

describe('nameBasedId', () => {
  it('is the version 8 UUID of SHA-256(workspace/name): the ids rows already hold', () => {
    // Taken with createHash before nameBasedId replaced three copies of it; stored rows carry such ids.
    assert.equal(nameBasedId('00000000-0000-4000-8000-000000000001', 'sandbox-funding-account'), '46d15805-6db3-81ea-917f-f2964c049152')
    assert.match(nameBasedId('w', 'card-product/x'), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.notEqual(nameBasedId('w', 'a'), nameBasedId('w', 'b'))
  })
})
