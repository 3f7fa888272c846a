// One isolated Keel per test file: a database cloned from the migrated template, the HTTP app
// driven in-process, and workspaces with keys. Every response is checked against the spec.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { domains } from '../../src/domains.js'
import { buildApp } from '../../src/platform/app.js'
import { WorkspaceClock, type Clock } from '../../src/platform/clock.js'
import { Vault } from '../../src/platform/crypto.js'
import { withDatabase } from '../../src/platform/database-url.js'
import { connect, connectKeyed, type Sql } from '../../src/platform/db.js'
import type { Services } from '../../src/platform/http.js'
import { createOutbound, type Outbound } from '../../src/platform/outbound.js'
import { createLogger } from '../../src/platform/logger.js'
import { createApiKey, ensureWorkspace, type WorkspaceMode } from '../../src/platform/workspaces.js'
import { conformance } from './conformance.js'

export interface Response<T = any> { status: number; body: T; headers: Record<string, string | string[] | undefined> }

export interface RequestOptions {
  body?: unknown
  /** A raw payload sent as is (for malformed JSON and size tests). */
  payload?: string | Buffer
  key?: string | null
  headers?: Record<string, string>
  /** Skip the spec check (only for requests the spec cannot describe, e.g. a route that does not exist). */
  unchecked?: boolean
}

export interface Harness {
  app: FastifyInstance
  sql: Sql
  /** What the app was built with (the vault holds this file's encryption key). */
  services: Services
  /** Database URL of this file's own database (for a second process or the CLI). */
  databaseUrl: string
  /** API keys: `a` and `b` are two sandbox workspaces, `live` a live one. */
  keys: { a: string; b: string; live: string }
  workspaces: { a: string; b: string; live: string }
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<Response<T>>
  /** A key for a further workspace. */
  newWorkspace(name: string, mode: WorkspaceMode): Promise<{ id: string; key: string }>
  close(): Promise<void>
}

export interface HarnessOptions {
  clock?: Clock
  /** Start every domain's background workers (webhook delivery…), stopped by close(). */
  workers?: boolean
  /** The vault key as 64 hex digits, to share it with a `keel start` process (KEEL_ENCRYPTION_KEY). */
  encryptionKey?: string
  /** The outbound guard (default: Keel listening on loopback, so receivers on 127.0.0.1 are reachable). */
  outbound?: Outbound
  /** The keyed sessions' pool size (the ledger's batches run on them); 1 to read the plans they keep. */
  keyedSessions?: number
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const serverUrl = process.env.KEEL_TEST_SERVER_URL
  const template = process.env.KEEL_TEST_TEMPLATE
  if (!serverUrl || !template) throw new Error('run tests with `npm test`: it starts PostgreSQL and prepares the template database')
  const name = `${template}_${randomBytes(4).toString('hex')}`
  const admin = connect(serverUrl, 1)
  await admin.unsafe(`create database ${name} template ${template}`)
  await admin.end()
  const databaseUrl = withDatabase(serverUrl, name)
  const sql = connect(databaseUrl, 10)
  const keyedSql = connectKeyed(databaseUrl, options.keyedSessions)
  const vault = new Vault(options.encryptionKey ? Buffer.from(options.encryptionKey, 'hex') : randomBytes(32))
  const services: Services = { sql, keyedSql, vault, clock: options.clock ?? new WorkspaceClock(), outbound: options.outbound ?? createOutbound({ listenHost: '127.0.0.1' }) }
  const logger = createLogger(process.env.KEEL_TEST_LOG ?? 'silent')
  const app = await buildApp(services, logger)
  await app.ready()
  const stopWorkers = options.workers ? domains.flatMap((d) => (d.startWorkers ? [d.startWorkers(services, logger)] : [])) : []

  const newWorkspace = async (wsName: string, mode: WorkspaceMode) => {
    const ws = await ensureWorkspace(sql, wsName, mode)
    return { id: ws.id, key: (await createApiKey(sql, ws.id)).apiKey }
  }
  const [a, b, live] = [await newWorkspace('a', 'sandbox'), await newWorkspace('b', 'sandbox'), await newWorkspace('live', 'live')]
  const spec = conformance()

  return {
    app, sql, databaseUrl, services,
    keys: { a: a.key, b: b.key, live: live.key },
    workspaces: { a: a.id, b: b.id, live: live.id },
    newWorkspace,
    async request(method, url, opts = {}) {
      const key = opts.key === undefined ? a.key : opts.key
      const headers: Record<string, string> = { ...(opts.headers ?? {}) }
      if (key !== null) headers.authorization = `Bearer ${key}`
      let payload: string | Buffer | undefined = opts.payload
      if (opts.body !== undefined) payload = JSON.stringify(opts.body)
      if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json'
      const res = await app.inject({ method: method as never, url, headers, payload })
      const contentType = res.headers['content-type'] as string | undefined
      const body = res.body === '' ? undefined : contentType?.includes('json') ? res.json() : res.body
      if (!opts.unchecked) spec.check(method, url, res.statusCode, contentType, body)
      return { status: res.statusCode, body, headers: res.headers as Response["headers"] }
    },
    async close() {
      await app.close()
      await Promise.all(stopWorkers.map((stop) => stop()))
      await Promise.all([sql.end({ timeout: 5 }), keyedSql.end({ timeout: 5 })])
      const admin2 = connect(serverUrl, 1)
      await admin2.unsafe(`drop database if exists ${name} with (force)`)
      await admin2.end()
    },
  }
}
