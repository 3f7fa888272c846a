import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { likePattern } from './pagination.js'

describe('likePattern', () => {
  it('turns * into % and takes LIKE’s own metacharacters literally', () => {
    assert.equal(likePattern('a*'), 'a%')
    assert.equal(likePattern('Apex*'), 'Apex%')
    assert.equal(likePattern('50%_*'), '50\\%\\_%')
    assert.equal(likePattern('a\\b'), 'a\\\\b')
    assert.equal(likePattern('*100%_x\\y*'), '%100\\%\\_x\\\\y%')
  })
})
