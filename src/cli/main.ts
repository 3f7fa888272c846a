import { parseArgs } from 'node:util'
import { loadConfig, type Config } from '../platform/config.js'
import { openDatabase } from '../platform/db.js'
import { createLogger } from '../platform/logger.js'
import { migrate } from '../platform/migrate.js'
import { createApiKey, ensureWorkspace, listApiKeys, revokeApiKey, type WorkspaceMode } from '../platform/workspaces.js'
import { firstWorkspaceName, startServer } from '../server.js'

const usage = `keel: a banking core that speaks Synctera's v0 API

  keel start [--port N] [--data-dir DIR]
  keel api-keys create [--data-dir DIR] [--mode sandbox|live] [--workspace NAME] [--json]
  keel api-keys list [--data-dir DIR] [--json]
  keel api-keys revoke ID [--data-dir DIR]

Environment: DATABASE_URL (external PostgreSQL 15+), PORT, HOST, KEEL_DATA_DIR, LOG_LEVEL, KEEL_ENCRYPTION_KEY.
`

class UsageError extends Error {}

function configFrom(values: { port?: string; 'data-dir'?: string }): Config {
  const overrides: Partial<Config> = {}
  const env = { ...process.env }
  if (values.port !== undefined) env.PORT = values.port
  if (values['data-dir'] !== undefined) env.KEEL_DATA_DIR = values['data-dir']
  return loadConfig(env, overrides)
}

/** Runs work against the database the server uses (the running embedded one, or starts it). */
async function withDatabase<T>(config: Config, work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const quiet = () => {}
  const db = await openDatabase(config, quiet)
  try {
    await migrate(db.sql)
    return await work(db)
  } finally {
    await db.close()
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') { process.stdout.write(usage); return command ? 0 : 2 }

  if (command === 'start') {
    const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, 'data-dir': { type: 'string' } } })
    const config = configFrom(values)
    const running = await startServer(config)
    let stopping = false
    const stop = async (signal: string) => {
      if (stopping) return
      stopping = true
      running.app.log.info(`${signal}: stopping`)
      await running.stop()
      process.exit(0)
    }
    process.on('SIGINT', () => void stop('SIGINT'))
    process.on('SIGTERM', () => void stop('SIGTERM'))
    return -1 // keep running
  }

  if (command === 'api-keys') {
    const [sub, ...args] = rest
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { 'data-dir': { type: 'string' }, mode: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' } },
    })
    const config = configFrom(values)
    if (sub === 'create') {
      const mode = (values.mode ?? 'sandbox') as WorkspaceMode
      if (mode !== 'sandbox' && mode !== 'live') throw new UsageError('--mode is sandbox or live')
      const out = await withDatabase(config, async (db) => db.sql.begin(async (tx) => {
        const workspace = await ensureWorkspace(tx, values.workspace ?? firstWorkspaceName, mode)
        const key = await createApiKey(tx, workspace.id)
        return { workspace_id: workspace.id, workspace: workspace.name, mode: workspace.mode, api_key: key.apiKey, id: key.id }
      }))
      if (values.json) process.stdout.write(JSON.stringify({ workspace_id: out.workspace_id, mode: out.mode, api_key: out.api_key }) + '\n')
      else process.stdout.write(`API key for workspace "${out.workspace}" (${out.mode}), shown once:\n\n  ${out.api_key}\n\nid ${out.id}\n`)
      return 0
    }
    if (sub === 'list') {
      const keys = await withDatabase(config, (db) => listApiKeys(db.sql))
      if (values.json) { process.stdout.write(JSON.stringify(keys) + '\n'); return 0 }
      for (const k of keys) {
        process.stdout.write(`${k.id}  ${k.key_prefix}…  ${k.workspace_name} (${k.mode})  ${k.revoked_at ? 'revoked ' + k.revoked_at.toISOString() : 'active'}\n`)
      }
      if (keys.length === 0) process.stdout.write('no API keys\n')
      return 0
    }
    if (sub === 'revoke') {
      const id = positionals[0]
      if (!id) throw new UsageError('keel api-keys revoke ID')
      const done = await withDatabase(config, (db) => revokeApiKey(db.sql, id))
      process.stdout.write(done ? `revoked ${id}\n` : `no active key ${id}\n`)
      return done ? 0 : 1
    }
    throw new UsageError(`unknown api-keys command: ${sub ?? '(none)'}`)
  }
  throw new UsageError(`unknown command: ${command}`)
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code) },
  (err) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n\n${usage}`)
      process.exit(2)
    }
    createLogger('error').error({ err }, 'keel failed')
    process.exit(1)
  },
)
