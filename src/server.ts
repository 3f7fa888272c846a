import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { domains } from './domains.js'
import { buildApp } from './platform/app.js'
import { WorkspaceClock } from './platform/clock.js'
import type { Config } from './platform/config.js'
import { loadVault } from './platform/crypto.js'
import { openDatabase, type Database } from './platform/db.js'
import { createLogger } from './platform/logger.js'
import { migrate } from './platform/migrate.js'
import { startKeyPurge } from './platform/idempotency.js'
import { outboundFor } from './platform/outbound.js'
import { apiKeyCreatedChannel, apiKeyRevokedChannel, forgetUnknownKeyHash, countWorkspaces, createApiKey, ensureWorkspace, firstWorkspaceName, forgetApiKey, forgetWorkspace, workspaceChangedChannel } from './platform/workspaces.js'
import { followClocks } from './sandbox/index.js'

export interface Running {
  app: FastifyInstance
  db: Database
  url: string
  /** Resolves if this process can no longer serve: the embedded PostgreSQL it joined stopped or moved. */
  lost: Promise<string>
  stop(): Promise<void>
}

/** How often a process that joined another's embedded PostgreSQL checks that it still runs where it joined. */
export const joinedDatabaseCheckMs = 1_000

/** Opens the database, applies migrations, and serves the API until stopped. */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Running> {
  const say = (msg: string) => logger.info(msg)
  const db = await openDatabase(config, say)
  let app: FastifyInstance | undefined
  try {
    const applied = await migrate(db.sql)
    if (applied.length) say(`applied migrations: ${applied.join(', ')}`)
    const vault = loadVault(config.encryptionKey, config.dataDir, (m) => logger.warn(m))
    const firstKey = await createFirstWorkspace(db)
    // Revocations and partner KYB changes made by any process (the CLI, another node) reach this
    // one's key cache at once.
    await db.sql.listen(apiKeyRevokedChannel, (id) => forgetApiKey(id))
    await db.sql.listen(workspaceChangedChannel, (id) => forgetWorkspace(id))
    await db.sql.listen(apiKeyCreatedChannel, (hash) => forgetUnknownKeyHash(hash))
    const clock = new WorkspaceClock()
    await followClocks(db.sql, clock)
    const services = { sql: db.sql, keyedSql: db.keyed, vault, clock, outbound: outboundFor(config, db.url) }
    app = await buildApp(services, logger, { limits: config.limits, metrics: config.metrics, ready: () => db.stillServing() })
    await app.listen({ port: config.port, host: config.host })
    const stopWorkers = [
      ...domains.flatMap((d) => (d.startWorkers ? [d.startWorkers(services, logger)] : [])),
      startKeyPurge(db.sql, (err) => logger.error({ err }, 'purging old Idempotency-Key outcomes failed')),
    ]
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const url = `http://${config.host}:${port}`
    if (firstKey) printWelcome(url, firstKey)
    say(`Keel is serving ${url}/v0 (docs at ${url}/docs)`)
    let watch: NodeJS.Timeout | undefined
    const lost = new Promise<string>((resolve) => {
      watch = setInterval(() => {
        if (db.stillServing()) return
        clearInterval(watch)
        resolve('the embedded PostgreSQL this process joined has stopped or moved to another port')
      }, joinedDatabaseCheckMs)
      watch.unref()
    })
    return {
      app, db, url, lost,
      stop: async () => {
        clearInterval(watch)
        await app!.close()
        await Promise.all(stopWorkers.map((stop) => stop()))
        await db.close()
      },
    }
  } catch (err) {
    await app?.close().catch(() => {})
    await db.close().catch(() => {})
    throw err
  }
}

/** On empty data: a sandbox workspace and a key, so a newcomer can call the API at once. */
async function createFirstWorkspace(db: Database): Promise<string | undefined> {
  return db.sql.begin(async (tx) => {
    await tx`lock table workspaces in share row exclusive mode`
    if ((await countWorkspaces(tx)) > 0) return undefined
    const workspace = await ensureWorkspace(tx, firstWorkspaceName, 'sandbox')
    return (await createApiKey(tx, workspace.id)).apiKey
  }) as Promise<string | undefined>
}

function printWelcome(url: string, apiKey: string): void {
  process.stdout.write([
    '',
    'A sandbox workspace was created. Its API key (shown once):',
    '',
    `  ${apiKey}`,
    '',
    'Try it:',
    '',
    `  curl -s ${url}/v0/persons -H "Authorization: Bearer ${apiKey}" \\`,
    `    -H 'Content-Type: application/json' -d '{"is_customer": true, "status": "ACTIVE", "first_name": "Ada", "last_name": "Lovelace"}'`,
    '',
  ].join('\n') + '\n')
}
