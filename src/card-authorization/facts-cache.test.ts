import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FactsCache } from './facts-cache.js'
import type { FactsRow } from './store.js'

const row = (id: string) => ({ id }) as FactsRow

describe('the card facts a process keeps', () => {
  it('keeps at most its bound, the least recently read going first', () => {
    const cache = new FactsCache(2)
    cache.keep('w/a', row('a'))
    cache.keep('w/b', row('b'))
    // Read again: a becomes the most recent, so b goes when c comes.
    cache.keep('w/a', row('a'))
    cache.keep('w/c', row('c'))
    assert.equal(cache.get('w/b'), undefined)
    assert.equal(cache.get('w/a')?.id, 'a')
    assert.equal(cache.get('w/c')?.id, 'c')
    cache.forget('w/a')
    assert.equal(cache.get('w/a'), undefined)
  })
})
