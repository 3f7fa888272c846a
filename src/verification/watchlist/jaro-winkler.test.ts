import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { bestPairsScore, jaro, jaroWinkler, tokenSimilarity } from './jaro-winkler.js'

const close = (actual: number, expected: number, label: string) => assert.ok(Math.abs(actual - expected) < 0.001, `${label}: ${actual} ≠ ${expected}`)

describe('Jaro-Winkler', () => {
  it('matches the textbook values (Winkler 1990)', () => {
    for (const [a, b, j, jw] of [
      ['martha', 'marhta', 0.944, 0.961],
      ['dwayne', 'duane', 0.822, 0.84],
      ['dixon', 'dicksonx', 0.767, 0.813],
      ['abc', 'abc', 1, 1],
      ['abc', 'xyz', 0, 0],
      ['', 'abc', 0, 0],
    ] as const) {
      close(jaro(a, b), j, `jaro ${a}/${b}`)
      close(jaroWinkler(a, b), jw, `jw ${a}/${b}`)
    }
  })

  it('is symmetric', () => {
    for (const [a, b] of [['moreno', 'morreno'], ['khoroshev', 'horoshev'], ['al', 'ali']]) assert.equal(jaroWinkler(a, b), jaroWinkler(b, a))
  })

  it('penalises tokens that start differently or differ much in length', () => {
    assert.ok(tokenSimilarity('putin', 'turin') < jaroWinkler('putin', 'turin'))
    assert.ok(tokenSimilarity('al', 'alexander') < jaroWinkler('al', 'alexander'))
    assert.equal(tokenSimilarity('moreno', 'moreno'), 1)
  })
})

describe('best pairs', () => {
  const score = (q: string[], l: string[]) => bestPairsScore(q, l, (i, j) => tokenSimilarity(q[i], l[j]))
  it('ignores word order', () => assert.equal(score(['daniel', 'moreno'], ['moreno', 'daniel']), 1))
  it('costs little for a listed middle name the query lacks, much for a query word the listing lacks', () => {
    const missingMiddle = score(['dmitry', 'khoroshev'], ['khoroshev', 'dmitry', 'yuryevich'])
    const extraWord = score(['dmitry', 'khoroshev', 'smith'], ['khoroshev', 'dmitry'])
    assert.ok(missingMiddle > 0.9 && missingMiddle < 1, String(missingMiddle))
    assert.ok(extraWord < 0.8, String(extraWord))
  })
  it('scores 0 for nothing to compare', () => {
    assert.equal(score([], ['a']), 0)
    assert.equal(score(['a'], []), 0)
  })
})
