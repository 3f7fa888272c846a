import { statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { systemClock } from '../platform/clock.js'
import { currentList } from '../verification/watchlist/current.js'
import { importList } from '../verification/watchlist/import.js'
import { ListFormatError, listFileNames, readListDir } from '../verification/watchlist/list.js'
import { matchThreshold, resultsMaxDefault, type PartyKind } from '../verification/watchlist/watchlist-index.js'
import { commonOptions, configFrom, UsageError, withDatabase, type Command } from './common.js'

const isoDate = /^\d{4}-\d{2}-\d{2}$/
/** The most matches `search` prints. */
const searchLimitMax = 100

export const watchlist: Command = {
  usage: [
    'keel watchlist search "NAME" [--type person|business] [--dob YYYY-MM-DD] [--country CC] [--limit N] [--min-score S] [--json] [--data-dir DIR]',
    'keel watchlist import DIR [--list-version V] [--date YYYY-MM-DD] [--json] [--data-dir DIR]   (sdn.csv, alt.csv, add.csv, sdn_comments.csv)',
  ],
  async run([sub, ...args]) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: {
        ...commonOptions, json: { type: 'boolean' }, type: { type: 'string' }, dob: { type: 'string' }, country: { type: 'string' },
        limit: { type: 'string' }, 'min-score': { type: 'string' }, 'list-version': { type: 'string' }, date: { type: 'string' },
      },
    })
    const config = configFrom(values)
    switch (sub) {
      case 'search': {
        const name = positionals.join(' ').trim()
        if (!name) throw new UsageError('keel watchlist search "NAME"')
        const kind = values.type
        if (kind !== undefined && kind !== 'person' && kind !== 'business') throw new UsageError('--type is person or business')
        if (values.dob !== undefined && !isoDate.test(values.dob)) throw new UsageError('--dob is YYYY-MM-DD')
        if (values.country !== undefined && !/^[A-Za-z]{2}$/.test(values.country)) throw new UsageError('--country is an ISO alpha-2 code')
        const limit = values.limit === undefined ? resultsMaxDefault : Number(values.limit)
        if (!Number.isInteger(limit) || limit < 1 || limit > searchLimitMax) throw new UsageError(`--limit is 1 to ${searchLimitMax}`)
        const minScore = values['min-score'] === undefined ? matchThreshold : Number(values['min-score'])
        if (!(minScore >= 0 && minScore <= 1)) throw new UsageError('--min-score is 0 to 1')
        const list = await withDatabase(config, (db) => currentList(db.sql))
        const started = performance.now()
        const matches = list.index.search({ name, kind: kind as PartyKind | undefined, dob: values.dob, countryCode: values.country?.toUpperCase(), limit, minScore })
        const ms = performance.now() - started
        if (values.json) {
          process.stdout.write(JSON.stringify({
            list: { source: list.source, version: list.version, date: list.date }, query: name, threshold: minScore,
            matches: matches.map((m) => ({ entry_id: m.entry.id, name: m.entry.name, matched_name: m.matchedName, type: m.entry.type, programs: m.entry.programs, score: Number(m.score.toFixed(4)) })),
          }) + '\n')
          return 0
        }
        process.stdout.write(`${list.source} list ${list.version}${list.date ? ` of ${list.date}` : ''}: ${matches.length} match(es) for "${name}" at or above ${minScore} (${ms.toFixed(2)} ms)\n`)
        for (const m of matches) {
          const alias = m.matchedName !== m.entry.name ? `  (as "${m.matchedName}")` : ''
          process.stdout.write(`  ${m.score.toFixed(3)}  ${String(m.entry.id).padStart(6)}  ${m.entry.type.padEnd(10)}  ${m.entry.name}${alias}  [${m.entry.programs.join(', ')}]\n`)
        }
        return 0
      }
      case 'import': {
        const dir = positionals[0]
        if (!dir) throw new UsageError('keel watchlist import DIR')
        if (values.date !== undefined && !isoDate.test(values.date)) throw new UsageError('--date is YYYY-MM-DD')
        // The Treasury's CSV carries no publication date: --date, else the newest file's modification date.
        const date = values.date ?? new Date(Math.max(...Object.values(listFileNames).map((n) => { try { return statSync(join(dir, n)).mtimeMs } catch { return 0 } }))).toISOString().slice(0, 10)
        let out
        try {
          const files = readListDir(dir)
          out = await withDatabase(config, (db) => importList(db.sql, files, { ...(values['list-version'] ? { version: values['list-version'] } : {}), date }, systemClock))
        } catch (err) {
          if (err instanceof ListFormatError) { process.stderr.write(`not imported: ${err.message}\n`); return 1 }
          throw err
        }
        const { list, rescreen } = out
        const summary = { list_id: list.id, source: list.source, version: list.version, date: list.date, entries: out.entries, orphan_aliases: out.orphanAliases, orphan_addresses: out.orphanAddresses, rescreened: rescreen.screened, new_alerts: rescreen.alerts, rescreen_ms: Math.round(rescreen.ms) }
        if (values.json) process.stdout.write(JSON.stringify(summary) + '\n')
        else process.stdout.write(`imported ${list.source} list ${list.version} of ${list.date}: ${out.entries} entries; re-screened ${rescreen.screened} subscription(s), ${rescreen.alerts} new alert(s)\n`)
        return 0
      }
      default:
        throw new UsageError(`unknown watchlist command: ${sub ?? '(none)'}`)
    }
  },
}
