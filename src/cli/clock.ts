// A sandbox workspace's clock from the command line: what GET /v0/sandbox/clock and
// POST /v0/sandbox/clock/advance do, for a workspace named by name or id.
import { parseArgs } from 'node:util'
import { loadVault } from '../platform/crypto.js'
import { ApiError } from '../platform/errors.js'
import { outboundFor } from '../platform/outbound.js'
import { findWorkspace } from '../platform/workspaces.js'
import { advanceWorkspaceClock, workspaceTime } from '../sandbox/index.js'
import { commonOptions, configFrom, UsageError, withDatabase, type Command } from './common.js'

export const clock: Command = {
  usage: [
    'keel clock show --workspace NAME|ID [--data-dir DIR] [--json]',
    'keel clock advance --workspace NAME|ID (--by DURATION | --to DATE-TIME) [--data-dir DIR] [--json]',
  ],
  async run([sub, ...args]) {
    const { values } = parseArgs({ args, options: { ...commonOptions, workspace: { type: 'string' }, by: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } })
    const config = configFrom(values)
    const name = values.workspace
    if (sub !== 'show' && sub !== 'advance') throw new UsageError(`unknown clock command: ${sub ?? '(none)'}`)
    if (!name) throw new UsageError(`keel clock ${sub} --workspace NAME|ID`)
    const out = await withDatabase(config, async (db) => {
      const found = await findWorkspace(db.sql, name)
      if (!found) return undefined
      if (sub === 'show') return workspaceTime(db.sql, found.id)
      // Every domain's due work, so every domain: loaded only to advance (`show` needs none of them).
      const { domains } = await import('../domains.js')
      const vault = loadVault(config.encryptionKey, config.dataDir, () => {})
      return advanceWorkspaceClock({ sql: db.sql, keyedSql: db.keyed, vault, outbound: outboundFor(config, db.url) }, domains.flatMap((d) => d.dueWork ?? []), found, { by: values.by, to: values.to }).catch((err: unknown) => {
        if (err instanceof ApiError) return err
        throw err
      })
    })
    if (!out) { process.stderr.write(`no workspace ${name}\n`); return 1 }
    if (out instanceof ApiError) { process.stderr.write(`${out.message}\n`); return 1 }
    process.stdout.write(values.json ? JSON.stringify({ now: out.toISOString() }) + '\n' : `${out.toISOString()}\n`)
    return 0
  },
}
