// The fintech's own KYB, recorded by the operator: a live workspace moves no money (422
// PARTNER_NOT_VERIFIED) until `pass` records it; `revoke` blocks money movement again. Sandbox
// workspaces are pre-passed and have nothing to record.
import { parseArgs } from 'node:util'
import { findWorkspace, listWorkspaces, partnerVerifiedOf, setPartnerVerified, type WorkspaceRow } from '../platform/workspaces.js'
import { commonOptions, configFrom, UsageError, withDatabase, type Command } from './common.js'

const toJson = (w: WorkspaceRow) => ({
  workspace_id: w.id, name: w.name, mode: w.mode,
  partner_verified: partnerVerifiedOf(w),
  partner_verified_at: w.partner_verified_at?.toISOString() ?? null,
})

const stateOf = (w: WorkspaceRow) =>
  w.mode === 'sandbox' ? 'pre-passed (sandbox)' : w.partner_verified_at ? `passed ${w.partner_verified_at.toISOString()}` : 'not passed: money movement blocked'

export const partnerKyb: Command = {
  usage: [
    'keel partner-kyb pass --workspace NAME|ID [--data-dir DIR] [--json]',
    'keel partner-kyb revoke --workspace NAME|ID [--data-dir DIR] [--json]',
    'keel partner-kyb list [--data-dir DIR] [--json]',
  ],
  async run([sub, ...args]) {
    const { values } = parseArgs({ args, options: { ...commonOptions, workspace: { type: 'string' }, json: { type: 'boolean' } } })
    const config = configFrom(values)
    switch (sub) {
      case 'pass':
      case 'revoke': {
        const name = values.workspace
        if (!name) throw new UsageError(`keel partner-kyb ${sub} --workspace NAME|ID`)
        const out = await withDatabase(config, async (db) => {
          const found = await findWorkspace(db.sql, name)
          if (!found || found.mode !== 'live') return { found }
          return { found, updated: await setPartnerVerified(db.sql, found.id, sub === 'pass') }
        })
        if (!out.found) { process.stderr.write(`no workspace ${name}\n`); return 1 }
        if (!out.updated) { process.stderr.write(`workspace "${out.found.name}" is a sandbox: its partner KYB is pre-passed and cannot be ${sub === 'pass' ? 'recorded' : 'revoked'}\n`); return 1 }
        if (values.json) process.stdout.write(JSON.stringify(toJson(out.updated)) + '\n')
        else process.stdout.write(`workspace "${out.updated.name}" (${out.updated.id}): partner KYB ${stateOf(out.updated)}\n`)
        return 0
      }
      case 'list': {
        const workspaces = await withDatabase(config, (db) => listWorkspaces(db.sql))
        if (values.json) { process.stdout.write(JSON.stringify(workspaces.map(toJson)) + '\n'); return 0 }
        for (const w of workspaces) process.stdout.write(`${w.id}  ${w.name} (${w.mode})  ${stateOf(w)}\n`)
        if (workspaces.length === 0) process.stdout.write('no workspaces\n')
        return 0
      }
      default:
        throw new UsageError(`unknown partner-kyb command: ${sub ?? '(none)'}`)
    }
  },
}
