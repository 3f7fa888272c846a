// `keel ach validate FILE`: reads a NACHA file and checks it without applying it. Prints the
// verdict, the file's summary and every error and warning; exit code 0 valid, 1 invalid.
// Needs no database. A future `keel ach` command with more subcommands forwards `validate` here.

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { validateNacha, type NachaIssue, type NachaTotals, type ValidateResult } from '../ach/nacha/index.js'
import { UsageError, type Command } from './common.js'

const money = (cents: number) => `${Math.trunc(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`
const totals = (t: NachaTotals) =>
  `batches ${t.batches}  entries ${t.entries}  addenda ${t.addenda}  debits ${money(t.totalDebit)}  credits ${money(t.totalCredit)}`
const issue = (i: NachaIssue<string>) =>
  `  line ${i.line} ${i.record}${i.field ? '.' + i.field : ''}${i.value !== '' ? ` ${JSON.stringify(i.value)}` : ''}: ${i.code}: ${i.message}`

export function formatReport(name: string, result: ValidateResult): string {
  const { summary, errors, warnings } = result
  const lines = [
    `${name}: ${result.ok ? 'VALID' : 'INVALID'} (${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'})`,
    totals(summary),
    ...Object.entries(summary.bySecCode).map(([sec, t]) => `  ${sec}  ${totals(t)}`),
  ]
  if (errors.length > 0) lines.push('errors:', ...errors.map(issue))
  if (warnings.length > 0) lines.push('warnings:', ...warnings.map(issue))
  return lines.join('\n') + '\n'
}

export const achValidate: Command = {
  usage: ['keel ach validate FILE [--json]    check a NACHA file without applying it (exit 0 valid, 1 invalid)'],
  async run([sub, ...args]) {
    if (sub !== 'validate') throw new UsageError(`unknown ach command: ${sub ?? '(none)'}`)
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } })
    const [path, ...extra] = positionals
    if (!path || extra.length > 0) throw new UsageError('keel ach validate FILE')
    let bytes: Buffer
    try {
      bytes = readFileSync(path)
    } catch (err) {
      process.stderr.write(`cannot read ${path}: ${(err as Error).message}\n`)
      return 1
    }
    const result = validateNacha(bytes)
    process.stdout.write(values.json ? JSON.stringify(result) + '\n' : formatReport(path, result))
    return result.ok ? 0 : 1
  },
}
