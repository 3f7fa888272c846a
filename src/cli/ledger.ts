import { parseArgs } from 'node:util'
import { auditCardSpend } from '../card-authorization/index.js'
import { auditLedger, type AuditReport } from '../ledger/index.js'
import type { Queryable } from '../platform/db.js'
import { findWorkspace } from '../platform/workspaces.js'
import { commonOptions, configFrom, UsageError, withDatabase, type Command } from './common.js'

export const ledger: Command = {
  usage: ['keel ledger check [--workspace NAME|ID] [--data-dir DIR] [--json]'],
  async run([sub, ...args]) {
    if (sub !== 'check') throw new UsageError(`unknown ledger command: ${sub ?? '(none)'}`)
    const { values } = parseArgs({ args, options: { ...commonOptions, workspace: { type: 'string' }, json: { type: 'boolean' } } })
    const name = values.workspace
    const report = await withDatabase(configFrom(values), async (db) => {
      if (name === undefined) return auditBooks(db.sql)
      const found = await findWorkspace(db.sql, name)
      return found && auditBooks(db.sql, found.id)
    })
    if (!report) { process.stderr.write(`no workspace ${name}\n`); return 2 }
    if (values.json) {
      process.stdout.write(JSON.stringify(report) + '\n')
      return report.discrepancies.length ? 1 : 0
    }
    const { accounts, transfers, entries, holds, card_messages: cardMessages } = report.checked
    const lines = [
      `ledger check (${name ? `workspace ${name}` : 'all workspaces'}): ${accounts} accounts, ${transfers} transfers, ${entries} entries, ${holds} holds, ${cardMessages} approved card messages`,
      '  every transfer\'s entries sum to zero per currency',
      '  POSTED records have two or more entries; PENDING, CANCELED and EXPIRED ones have none',
      '  each account\'s posted balance equals the sum of its entries',
      '  each account\'s held balance equals what its PENDING holds still reserve',
      '  each hold\'s captured total equals its captures\', and its status the record that settled it',
      '  every entry is in its account\'s currency',
      '  no account is below its floor or above its ceiling',
      '  no entry, transfer or record names a missing transfer, account or hold',
      '  an account with spend controls has the spend days its records make',
      '  each account\'s card spend by day, and each card\'s approvals by minute, are what its card messages make',
      '  card spend is kept by MCC and sub-type for exactly the accounts naming a window that lists them, as their messages make it',
      report.discrepancies.length ? `${report.discrepancies.length} discrepancies:` : 'clean: no discrepancies',
      ...report.discrepancies.map((d) => '  ' + d),
    ]
    process.stdout.write(lines.join('\n') + '\n')
    return report.discrepancies.length ? 1 : 0
  },
}

/** The ledger's invariants and what card authorization keeps beside them (spend windows' sums), as one report: what `keel ledger check` runs, and the tests' books check. */
export async function auditBooks(db: Queryable, workspaceId?: string): Promise<AuditReport & { checked: { card_messages: number } }> {
  const [ledger, cards] = await Promise.all([auditLedger(db, workspaceId), auditCardSpend(db, workspaceId)])
  return { checked: { ...ledger.checked, card_messages: cards.checked.messages }, discrepancies: [...ledger.discrepancies, ...cards.discrepancies] }
}
