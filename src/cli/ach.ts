// `keel ach`: the NACHA files of a workspace from the command line.
//   keel ach files list --workspace W [--direction OUTGOING|INCOMING] [--json]
//   keel ach files show FILE_ID --workspace W          the file's record and its NACHA text
//   keel ach files export FILE_ID --workspace W [--out PATH]   the NACHA text alone (stdout without --out)
//   keel ach ingest FILE --workspace W [--json]        receive a NACHA file as the receiving bank
//   keel ach settings show --workspace W [--json]      the workspace's ACH settings
//   keel ach settings set --workspace W [--immediate-origin …] [--company-id …] …   change them
//   keel ach resolve INCOMING_ID --workspace W (--post ACCOUNT_ID | --return [--return-code R03]) [--json]
//                                                      resolve an incoming entry IN_SUSPENSE
//   keel ach validate FILE                             (src/cli/ach-validate.ts)

import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ingestNacha } from '../ach/files/incoming.js'
import { readResolution, resolveSuspense } from '../ach/files/resolve.js'
import { toAchFile } from '../ach/routes.js'
import { achSettings, changeAchSettings, settingsFields, toAchSettingsView, type SettingsChange } from '../ach/settings.js'
import { getFile, listFiles } from '../ach/store.js'
import { toIncomingAch } from '../ach/views.js'
import { WorkspaceClock } from '../platform/clock.js'
import { loadVault } from '../platform/crypto.js'
import { ApiError } from '../platform/errors.js'
import { pageLimitMax } from '../platform/pagination.js'
import { outboundFor } from '../platform/outbound.js'
import { findWorkspace } from '../platform/workspaces.js'
import { workspaceTime } from '../sandbox/index.js'
import { achValidate } from './ach-validate.js'
import { commonOptions, configFrom, UsageError, withDatabase, type Command } from './common.js'

const money = (cents: number) => `${(cents / 100).toFixed(2)}`
/** `keel ach settings set` options: the API's fields, dashed (immediate_origin → --immediate-origin). */
const settingOptions = settingsFields.map((f) => f.replace(/_/g, '-'))

export const ach: Command = {
  usage: [
    'keel ach files list --workspace NAME|ID [--direction OUTGOING|INCOMING] [--json]',
    'keel ach files show FILE_ID --workspace NAME|ID       the file\'s record and its NACHA text',
    'keel ach files export FILE_ID --workspace NAME|ID [--out PATH]',
    'keel ach ingest FILE --workspace NAME|ID [--json]     receive a NACHA file and apply it (once)',
    'keel ach settings show --workspace NAME|ID [--json]   the ACH settings (ODFI fields of the files, gateway time-out decision)',
    `keel ach settings set --workspace NAME|ID ${settingOptions.map((o) => `[--${o} V]`).join(' ')}`,
    'keel ach resolve INCOMING_ID --workspace NAME|ID (--post ACCOUNT_ID | --return [--return-code R03]) [--json]   resolve an entry IN_SUSPENSE',
    ...achValidate.usage,
  ],
  async run(argv) {
    const [sub] = argv
    if (sub === 'validate') return achValidate.run(argv)
    const args = sub === 'files' ? argv.slice(2) : argv.slice(1)
    const action = sub === 'files' ? argv[1] : sub
    if (sub === 'settings') return settings(argv.slice(1))
    if (sub === 'resolve') return resolve(argv.slice(1))
    if (sub !== 'files' && sub !== 'ingest') throw new UsageError(`unknown ach command: ${sub ?? '(none)'}`)
    if (sub === 'files' && !['list', 'show', 'export'].includes(action ?? '')) throw new UsageError(`unknown ach files command: ${action ?? '(none)'}`)
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { ...commonOptions, workspace: { type: 'string' }, direction: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    })
    if (!values.workspace) throw new UsageError(`keel ach ${sub === 'files' ? `files ${action}` : sub} … --workspace NAME|ID`)
    const config = configFrom(values)
    return withDatabase(config, async (db) => {
      const workspace = await findWorkspace(db.sql, values.workspace!)
      if (!workspace) { process.stderr.write(`no workspace ${values.workspace}\n`); return 1 }
      const out = (s: string) => process.stdout.write(s)

      if (action === 'list') {
        if (values.direction !== undefined && values.direction !== 'OUTGOING' && values.direction !== 'INCOMING') throw new UsageError('--direction OUTGOING|INCOMING')
        const files = []
        let afterId: string | undefined
        for (;;) {
          const page = await listFiles(db.sql, workspace.id, values.direction, { limit: pageLimitMax, afterId })
          files.push(...page.slice(0, pageLimitMax))
          if (page.length <= pageLimitMax) break
          afterId = page[pageLimitMax - 1].id
        }
        if (values.json) { out(JSON.stringify(files.map(toAchFile)) + '\n'); return 0 }
        for (const f of files) out(`${f.id}  ${f.direction.padEnd(8)} ${f.status.padEnd(9)} ${(f.window_name ?? '-').padEnd(10)} ${String(f.entry_count).padStart(6)} entries  debits ${money(Number(f.debit_total))}  credits ${money(Number(f.credit_total))}  ${f.created_at.toISOString()}\n`)
        if (files.length === 0) out('no ACH files\n')
        return 0
      }

      const [target] = positionals
      if (!target) throw new UsageError(action === 'ingest' ? 'keel ach ingest FILE --workspace NAME|ID' : `keel ach files ${action} FILE_ID --workspace NAME|ID`)

      if (action === 'show' || action === 'export') {
        const file = /^[0-9a-f-]{36}$/i.test(target) ? await getFile(db.sql, workspace.id, target) : undefined
        if (!file) { process.stderr.write(`no ACH file ${target} in workspace ${workspace.name}\n`); return 1 }
        if (action === 'export') {
          if (values.out) writeFileSync(values.out, file.content)
          else out(file.content)
          return 0
        }
        const view = toAchFile(file)
        out(values.json ? JSON.stringify({ ...view, content: file.content }) + '\n' : `${Object.entries(view).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${file.content}${file.content.endsWith('\n') ? '' : '\n'}`)
        return 0
      }

      // ingest
      let content: string
      try { content = readFileSync(target, 'utf8') } catch (err) { process.stderr.write(`cannot read ${target}: ${(err as Error).message}\n`); return 1 }
      const clock = new WorkspaceClock()
      clock.moveTo(workspace.id, await workspaceTime(db.sql, workspace.id))
      const vault = loadVault(config.encryptionKey, config.dataDir, () => {})
      try {
        const outcome = await ingestNacha({ sql: db.sql, keyedSql: db.keyed, vault, clock, outbound: outboundFor(config, db.url) }, workspace.id, content)
        if (values.json) out(JSON.stringify({ file: toAchFile(outcome.file), already_applied: outcome.alreadyApplied, entries: outcome.entries.map(toIncomingAch) }) + '\n')
        else if (outcome.alreadyApplied) out(`${target}: already applied as file ${outcome.file.id}; nothing changed\n`)
        else {
          out(`${target}: file ${outcome.file.id}, ${outcome.entries.length} entries\n`)
          for (const e of outcome.entries) out(`  ${e.trace_no}  ${e.dc_sign.padEnd(6)} ${money(Number(e.amount)).padStart(12)}  ${e.account_no.padEnd(17)} ${e.status}${e.decline_reason ? `  ${e.decline_reason}` : ''}\n`)
        }
        return 0
      } catch (err) {
        if (!(err instanceof ApiError)) throw err
        process.stderr.write(`${target}: ${err.message}\n`)
        for (const e of (err.extra.errors as { line: number; record: string; field: string; value: string; message: string }[] | undefined) ?? []) {
          process.stderr.write(`  line ${e.line} ${e.record}${e.field ? '.' + e.field : ''} ${JSON.stringify(e.value)}: ${e.message}\n`)
        }
        return 1
      }
    })
  },
}

/** `keel ach resolve`: the same rules as POST /v0/ach/incoming/{id}/resolve (files/resolve.ts), in one transaction. */
async function resolve(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { ...commonOptions, workspace: { type: 'string' }, post: { type: 'string' }, return: { type: 'boolean' }, 'return-code': { type: 'string' }, json: { type: 'boolean' } },
  })
  const [id] = positionals
  const usage = 'keel ach resolve INCOMING_ID --workspace NAME|ID (--post ACCOUNT_ID | --return [--return-code R03])'
  if (!id || !values.workspace || (values.post === undefined) === (values.return !== true)) throw new UsageError(usage)
  if (values.post !== undefined && values['return-code'] !== undefined) throw new UsageError(usage)
  const config = configFrom(values)
  return withDatabase(config, async (db) => {
    const workspace = await findWorkspace(db.sql, values.workspace!)
    if (!workspace) { process.stderr.write(`no workspace ${values.workspace}\n`); return 1 }
    const clock = new WorkspaceClock()
    clock.moveTo(workspace.id, await workspaceTime(db.sql, workspace.id))
    const vault = loadVault(config.encryptionKey, config.dataDir, () => {})
    try {
      const resolution = readResolution(values.post !== undefined ? { action: 'POST', account_id: values.post } : { action: 'RETURN', ...(values['return-code'] ? { return_code: values['return-code'] } : {}) })
      const after = await db.sql.begin((tx) => resolveSuspense(tx, { sql: db.sql, keyedSql: db.keyed, vault, clock, outbound: outboundFor(config, db.url) }, workspace.id, id, resolution))
      const view = toIncomingAch(after)
      process.stdout.write(values.json ? JSON.stringify(view) + '\n' : `${after.id}  ${after.status}${after.account_id ? `  account ${after.account_id}` : ''}${after.decline_reason ? `  ${after.decline_reason}` : ''}\n`)
      return 0
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      process.stderr.write(`${err.message}\n`)
      return 1
    }
  })
}

/** `keel ach settings show|set`: the same rules as GET/PUT /v0/ach/settings (settings.ts). */
async function settings(argv: string[]): Promise<number> {
  const [action, ...args] = argv
  if (action !== 'show' && action !== 'set') throw new UsageError(`unknown ach settings command: ${action ?? '(none)'}`)
  const { values } = parseArgs({
    args, allowPositionals: false,
    options: { ...commonOptions, workspace: { type: 'string' }, json: { type: 'boolean' }, ...Object.fromEntries(settingOptions.map((o) => [o, { type: 'string' as const }])) },
  })
  if (!values.workspace) throw new UsageError(`keel ach settings ${action} --workspace NAME|ID`)
  const given = values as Record<string, string | boolean | undefined>
  const change: SettingsChange = {}
  for (const [i, o] of settingOptions.entries()) if (typeof given[o] === 'string') change[settingsFields[i]] = given[o] as string
  if (action === 'set' && Object.keys(change).length === 0) throw new UsageError(`keel ach settings set --workspace NAME|ID and at least one of ${settingOptions.map((o) => `--${o}`).join(', ')}`)
  const config = configFrom(values)
  return withDatabase(config, async (db) => {
    const workspace = await findWorkspace(db.sql, values.workspace!)
    if (!workspace) { process.stderr.write(`no workspace ${values.workspace}\n`); return 1 }
    let view: Record<string, unknown>
    try {
      view = toAchSettingsView(action === 'show'
        ? await achSettings(db.sql, workspace.id, workspace.name)
        : await changeAchSettings(db.sql, workspace.id, workspace.name, change, await workspaceTime(db.sql, workspace.id)))
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      process.stderr.write(`${err.message}\n`)
      return 1
    }
    process.stdout.write(values.json ? JSON.stringify(view) + '\n' : Object.entries(view).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n')
    return 0
  })
}
