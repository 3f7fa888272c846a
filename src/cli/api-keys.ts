import { parseArgs } from 'node:util'
import { createApiKey, ensureWorkspace, firstWorkspaceName, listApiKeys, revokeApiKey } from '../platform/workspaces.js'
import { commonOptions, configFrom, UsageError, withDatabase, type Command } from './common.js'

export const apiKeys: Command = {
  usage: [
    'keel api-keys create [--data-dir DIR] [--mode sandbox|live] [--workspace NAME] [--json]',
    'keel api-keys list [--data-dir DIR] [--json]',
    'keel api-keys revoke ID [--data-dir DIR]',
  ],
  async run([sub, ...args]) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { ...commonOptions, mode: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' } },
    })
    const config = configFrom(values)
    switch (sub) {
      case 'create': {
        const mode = values.mode ?? 'sandbox'
        if (mode !== 'sandbox' && mode !== 'live') throw new UsageError('--mode is sandbox or live')
        const out = await withDatabase(config, (db) => db.sql.begin(async (tx) => {
          const workspace = await ensureWorkspace(tx, values.workspace ?? firstWorkspaceName, mode)
          const key = await createApiKey(tx, workspace.id)
          return { workspace, key }
        }))
        if (values.json) process.stdout.write(JSON.stringify({ workspace_id: out.workspace.id, mode: out.workspace.mode, api_key: out.key.apiKey }) + '\n')
        else process.stdout.write(`API key for workspace "${out.workspace.name}" (${out.workspace.mode}), shown once:\n\n  ${out.key.apiKey}\n\nkey id ${out.key.id}\n`)
        return 0
      }
      case 'list': {
        const keys = await withDatabase(config, (db) => listApiKeys(db.sql))
        if (values.json) { process.stdout.write(JSON.stringify(keys) + '\n'); return 0 }
        for (const k of keys) {
          process.stdout.write(`${k.id}  ${k.key_prefix}…  ${k.workspace_name} (${k.mode})  ${k.revoked_at ? 'revoked ' + k.revoked_at.toISOString() : 'active'}\n`)
        }
        if (keys.length === 0) process.stdout.write('no API keys\n')
        return 0
      }
      case 'revoke': {
        const id = positionals[0]
        if (!id) throw new UsageError('keel api-keys revoke ID')
        const done = await withDatabase(config, (db) => revokeApiKey(db.sql, id))
        process.stdout.write(done ? `revoked ${id}\n` : `no active key ${id}\n`)
        return done ? 0 : 1
      }
      default:
        throw new UsageError(`unknown api-keys command: ${sub ?? '(none)'}`)
    }
  },
}
