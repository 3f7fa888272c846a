import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readCoalescer } from './read-coalescer.js'

describe('readCoalescer', () => {
  const recording = () => {
    const calls: string[][] = []
    const read = readCoalescer(async (keys: string[]) => {
      calls.push(keys)
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]))
    }, (k) => k)
    return { calls, read }
  }

  it('sends the reads of one turn of the event loop as one call, and answers each its own value', async () => {
    const { calls, read } = recording()
    const answers = await Promise.all([read('a'), read('b'), read('missing'), read('a')])
    assert.deepEqual(answers, ['A', 'B', undefined, 'A'])
    assert.deepEqual(calls, [['a', 'b', 'missing', 'a']])
  })

  it('sends reads of later turns as later calls', async () => {
    const { calls, read } = recording()
    assert.equal(await read('a'), 'A')
    const [b, c] = await Promise.all([read('b'), new Promise<string | undefined>((resolve) => setImmediate(() => resolve(read('c'))))])
    assert.deepEqual([b, c], ['B', 'C'])
    assert.deepEqual(calls, [['a'], ['b'], ['c']])
  })

  it('fails every read a failed call carried, and reads again afterwards', async () => {
    let fail = true
    const read = readCoalescer((keys: string[]) => {
      // Thrown, not a rejected promise: the reads fail all the same.
      if (fail) throw new Error('database gone')
      return Promise.resolve(new Map(keys.map((k) => [k, k])))
    }, (k) => k)
    const results = await Promise.allSettled([read('a'), read('b')])
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected'])
    fail = false
    assert.equal(await read('a'), 'a')
  })
})
