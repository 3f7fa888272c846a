import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { birthInfoOf, bundledListDir, ListFormatError, parseCsv, parseList, readListDir, remarkAliases } from './list.js'

const smallDir = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'ofac-small')

describe('OFAC CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and drops a DOS end-of-file mark', () => {
    assert.deepEqual(parseCsv('1,"a, b","say ""hi""",-0- \r\n2,"multi\nline",x\n\x1a'), [['1', 'a, b', 'say "hi"', '-0- '], ['2', 'multi\nline', 'x']])
  })

  it('refuses an unterminated quote', () => assert.throws(() => parseCsv('1,"open'), ListFormatError))

  it('loads the 17-entry fixture with aliases, addresses, remarks overflow, DOBs and countries', () => {
    const { entries, orphanAliases, orphanAddresses } = parseList(readListDir(smallDir))
    assert.equal(entries.length, 17)
    // The fixture carries alias and address rows whose ent_num names no entry: dropped, counted.
    assert.equal(orphanAliases, 5)
    assert.equal(orphanAddresses, 4)
    const byId = new Map(entries.map((e) => [e.id, e]))
    const khoroshev = byId.get(48603)!
    assert.equal(khoroshev.type, 'individual')
    assert.deepEqual(khoroshev.programs, ['CYBER2'])
    assert.ok(khoroshev.aliases.includes('KHOROSHEV, Dmitriy Yurevich'))
    assert.ok(khoroshev.aliases.includes('LOCKBITSUPP'), 'a.k.a. in the remarks is an alias')
    assert.deepEqual(khoroshev.birthDates, ['1993-04-17'])
    assert.deepEqual(khoroshev.countryCodes, ['RU'])
    assert.equal(byId.get(11195)!.type, 'entity')
    assert.deepEqual(byId.get(11195)!.programs, ['NPWMD', 'IFSR', 'IRAN-CON-ARMS-EO'])
    assert.equal(byId.get(40716)!.type, 'vessel')
    assert.equal(byId.get(20540)!.type, 'aircraft')
    // sdn_comments.csv continues the remarks of 33151.
    assert.match(byId.get(33151)!.remarks!, /SUCCESSFUL EXCHANGE/)
    assert.ok(byId.get(33151)!.aliases.includes('SUCCESSFUL EXCHANGE'))
    assert.deepEqual(byId.get(12685)!.countryCodes.sort(), ['CH', 'LY'])
  })

  it('loads the bundled full list', () => {
    const { entries } = parseList(readListDir(bundledListDir))
    assert.equal(entries.length, 7379)
    assert.equal(new Set(entries.map((e) => e.id)).size, entries.length)
    assert.ok(entries.filter((e) => e.type === 'individual').length > 3000)
  })

  it('reads DOB clauses', () => {
    assert.deepEqual(birthInfoOf('DOB 28 Jul 1963; POB Belize'), { years: [[1963, 1963]], dates: ['1963-07-28'] })
    assert.deepEqual(birthInfoOf('DOB circa 1970; alt. DOB 1960 to 1962'), { years: [[1969, 1971], [1960, 1962]], dates: [] })
    assert.deepEqual(birthInfoOf('Passport 123'), { years: [], dates: [] })
    assert.deepEqual(remarkAliases("a.k.a. 'HESA'; f.k.a. 'OLD NAME'; Linked To: X."), ['HESA', 'OLD NAME'])
  })

  it('refuses malformed files rather than loading part of them', () => {
    const files = readListDir(smallDir)
    for (const [label, broken] of [
      ['wrong column count', { ...files, sdn: files.sdn + '\n99999,"ONLY TWO"' }],
      ['bad ent_num', { ...files, sdn: files.sdn + '\nabc,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ' }],
      ['duplicate ent_num', { ...files, sdn: files.sdn + '\n' + files.sdn.split('\n')[0] }],
      ['unknown type', { ...files, sdn: '1,"X","spaceship",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ' }],
      ['empty list', { ...files, sdn: '' }],
    ] as const) assert.throws(() => parseList(broken), ListFormatError, label)
  })
})
