// Screening on the 17-entry fixture and on the bundled full list (each loaded once per file).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { bundledListDir, parseList, readListDir } from './list.js'
import { loadList, type LoadedList } from './current.js'
import { screenParty, watchlistResultOf } from './screening.js'
import { matchThreshold, rejectThreshold, WatchlistIndex, type ScreeningQuery } from './watchlist-index.js'

const smallDir = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'ofac-small')

type Case = [label: string, query: ScreeningQuery, expectedEntry: number | null, minScore?: number]

function check(index: () => WatchlistIndex, cases: Case[]): void {
  for (const [label, query, expected, minScore] of cases) {
    it(`${label}: ${JSON.stringify(query.name)}${expected === null ? ' matches nothing' : ` → ${expected}`}`, () => {
      const matches = index().search(query)
      if (expected === null) {
        assert.deepEqual(matches.map((m) => `${m.entry.name} ${m.score.toFixed(3)}`), [])
        return
      }
      assert.ok(matches.length > 0, 'no match')
      assert.equal(matches[0].entry.id, expected, `top match ${matches[0].entry.name} ${matches[0].score}`)
      assert.ok(matches[0].score >= (minScore ?? matchThreshold), `score ${matches[0].score}`)
      assert.ok(matches[0].score <= 1)
    })
  }
}

describe('screening the 17-entry fixture', () => {
  let index: WatchlistIndex
  before(() => { index = new WatchlistIndex(parseList(readListDir(smallDir)).entries) })
  check(() => index, [
    ['exact listed name', { name: 'KHOROSHEV, Dmitry Yuryevich' }, 48603, 1],
    ['natural order', { name: 'Dmitry Yuryevich Khoroshev' }, 48603, 1],
    ['alias from alt.csv', { name: 'Dmitrii Yuryevich Khoroshev' }, 48603, 1],
    ['alias from the remarks', { name: 'LockBitSupp' }, 48603, 1],
    ['without the patronymic', { name: 'Dmitry Khoroshev' }, 48603],
    ['two misspellings', { name: 'Dmitri Khoroshov' }, 48603],
    ['case and diacritics', { name: 'dmítry KHORÓSHEV' }, 48603],
    ['honorific', { name: 'Mr. Dmitry Khoroshev' }, 48603],
    ['Cyrillic', { name: 'Хорошев Дмитрий Юрьевич' }, 48603, rejectThreshold],
    ['reordered with a generational suffix', { name: 'Daniel Gonzalo Moreno Jr.' }, 15102, 1],
    ['misspelled', { name: 'Danial Morreno' }, 15102],
    ['legal form and punctuation', { name: 'Aircraft Avionics Parts & Support Limited' }, 19709, 1],
    ['business alias', { name: 'Iran Aircraft Manufacturing Industries Co.' }, 11195, 1],
    ['joined words', { name: 'BelKap Steel' }, 44525],
    ['vessel', { name: 'Iris Makran' }, 40716, 1],
    ['person only against individuals', { name: 'Iris Makran', kind: 'person' }, null],
    ['business not against vessels', { name: 'Frunze', kind: 'business' }, null],
    ['a different person with a shared first name', { name: 'Dmitry Ivanov' }, null],
    ['a different person with a shared surname', { name: 'Daniel Smith' }, null],
    ['an ordinary name', { name: 'John Smith' }, null],
    ['an ordinary business', { name: 'Acme Widgets LLC', kind: 'business' }, null],
    ['empty after normalisation', { name: ' .,- ' }, null],
  ])

  it('cuts a match whose listed DOB is years away, and rewards the exact DOB', () => {
    const plain = index.search({ name: 'Daniel Moreno', kind: 'person' })[0]
    const sameDob = index.search({ name: 'Daniel Moreno', kind: 'person', dob: '1972-10-12' })[0]
    assert.equal(plain.entry.id, 15102)
    assert.ok(sameDob.score >= plain.score)
    assert.deepEqual(index.search({ name: 'Daniel Moreno', kind: 'person', dob: '1995-01-01' }), [])
    // A year either side is tolerated (listed DOBs are often approximate).
    assert.equal(index.search({ name: 'Daniel Moreno', kind: 'person', dob: '1973-03-03' })[0]?.entry.id, 15102)
  })

  it('lowers a match in another country, never raising one', () => {
    const there = index.search({ name: 'Danial Morreno', countryCode: 'BZ', minScore: 0 })[0]
    const elsewhere = index.search({ name: 'Danial Morreno', countryCode: 'US', minScore: 0 })[0]
    assert.equal(there.entry.id, 15102)
    assert.ok(elsewhere.score < there.score)
  })
})

describe('screening the full SDN list', () => {
  let list: LoadedList
  before(() => { list = loadList('bundled', 'test', null, readListDir(bundledListDir)) })
  check(() => list.index, [
    ['exact', { name: 'BANCO NACIONAL DE CUBA' }, 306, 1],
    ['reordered individual', { name: 'Joaquin Guzman Loera' }, 6861, 1],
    ['alias and joined surname', { name: 'Usama Binladen' }, 6365, rejectThreshold],
    ['misspelled', { name: 'Osamma bin Ladin' }, 6365],
    ['legal form spelt out', { name: 'Anglo Caribbean Company Limited' }, 173, 1],
    ['Cyrillic', { name: 'Дмитрий Козак', kind: 'person' }, 16709],
    ['spelling variant', { name: 'Hassan Nasrallah' }, 2686],
    ['ordinary name', { name: 'Mary Johnson', kind: 'person', dob: '1980-05-05', countryCode: 'US' }, null],
    ['ordinary name', { name: 'Jennifer Lopez', kind: 'person', dob: '1969-07-24', countryCode: 'US' }, null],
    ['ordinary business', { name: 'Springfield Bakery', kind: 'business', countryCode: 'US' }, null],
  ])

  it('rolls a party up into the score bands', () => {
    assert.equal(watchlistResultOf(screenParty(list, { kind: 'person', names: ['Ada Lovelace'], dob: '1985-12-10', countryCode: 'US' })), 'ACCEPTED')
    assert.equal(watchlistResultOf(screenParty(list, { kind: 'person', names: ['Joaquin Guzman Loera'] })), 'REJECTED')
    const weak = screenParty(list, { kind: 'person', names: ['Dmitri Kozack'] })
    assert.ok(weak.length > 0 && weak[0].score < rejectThreshold, String(weak[0]?.score))
    assert.equal(watchlistResultOf(weak), 'REVIEW')
    // A business screens its trade names too.
    assert.equal(screenParty(list, { kind: 'business', names: ['Harmless Holdings', 'Banco Nacional de Cuba'] })[0]?.entry.id, 306)
  })
})
