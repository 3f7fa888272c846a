// The `keel` command as an operator runs it: real processes, a real data directory with its own
// embedded PostgreSQL, HTTP over a real socket. One data directory carries the whole story (first
// start, keys, stop, restart) so PostgreSQL is initialised once.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { WorkspaceClock } from '../src/platform/clock.js'
import { uuidv7 } from '../src/platform/ids.js'
import { clockChangedChannel, followClocks } from '../src/sandbox/index.js'
import { forgetWorkspace, workspaceChangedChannel } from '../src/platform/workspaces.js'
import { conformance } from './support/conformance.js'
import { startHarness, type Harness } from './support/harness.js'
import { readyStatus } from './support/keel-process.js'
import { personBody } from './support/parties.js'

const root = join(import.meta.dirname, '..')
const keelBin = join(root, 'bin', 'keel.mjs')
const startTimeoutMs = 90_000
const commandTimeoutMs = 60_000
const stopTimeoutMs = 30_000
const testTimeoutMs = 180_000

// The children see none of the settings the test run itself uses: each must find its database
// from its own flags (or the DATABASE_URL a test hands it).
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' }
  for (const name of ['DATABASE_URL', 'KEEL_DATA_DIR', 'PORT', 'HOST', 'KEEL_ENCRYPTION_KEY']) delete env[name]
  return { ...env, ...extra }
}

const children = new Set<ChildProcess>()
const dataDirs: string[] = []

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'))
  chmodSync(dir, 0o755) // PostgreSQL runs as the postgres user when we are root and must reach it
  dataDirs.push(dir)
  return dir
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => { clearTimeout(timer); resolve(true) })
  })
}

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs a `keel` command to its end. */
function keel(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [keelBin, ...args], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => { stdout += d })
  child.stderr!.on('data', (d) => { stderr += d })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`keel ${args.join(' ')} did not finish in ${commandTimeoutMs} ms\n${stdout}\n${stderr}`)) }, commandTimeoutMs)
    child.once('exit', (code) => { clearTimeout(timer); children.delete(child); resolve({ code, stdout, stderr }) })
  })
}

interface Server { child: ChildProcess; url: string; output(): string; stop(): Promise<number | null> }

/** `keel start --port 0`, resolved once it says where it serves. */
function startKeel(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [keelBin, 'start', '--port', '0', '--data-dir', dataDir], { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let output = ''
  const serving = /Keel is serving (http:\/\/[^\s/]+)\/v0/
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`keel start did not serve in ${startTimeoutMs} ms\n${output}`)), startTimeoutMs)
    const onData = (d: Buffer) => {
      output += d
      const match = serving.exec(output)
      if (!match) return
      clearTimeout(timer)
      resolve({
        child,
        url: match[1],
        output: () => output,
        stop: async () => {
          child.kill('SIGTERM')
          assert.ok(await waitForExit(child, stopTimeoutMs), `keel did not stop within ${stopTimeoutMs} ms of SIGTERM`)
          children.delete(child)
          return child.exitCode
        },
      })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (d) => { output += d })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`keel start exited (${code}) before serving\n${output}`)) })
  })
}

/** An HTTP call to a running Keel; the response is checked against the spec like every API test. */
async function call(server: Server, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  const contentType = res.headers.get('content-type') ?? undefined
  const parsed = text === '' ? undefined : contentType?.includes('json') ? JSON.parse(text) : text
  conformance().check(method, path, res.status, contentType, parsed)
  return { status: res.status, body: parsed }
}

/** Processes whose command line runs PostgreSQL on this data folder (`postgres -D pgdata …`). */
function postgresProcessesFor(pgdata: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let args: string[]
    try { args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0') } catch { continue }
    const at = args.indexOf('-D')
    if (at >= 0 && args[at + 1] === pgdata) pids.push(Number(entry))
  }
  return pids
}

function assertNoPostgres(dataDir: string): void {
  const pgdata = join(dataDir, 'pg')
  assert.ok(!existsSync(join(pgdata, 'postmaster.pid')), 'postmaster.pid is gone')
  assert.deepEqual(postgresProcessesFor(pgdata), [], 'no PostgreSQL process left on the data dir')
}

/** The single JSON object `api-keys create --json` must print, and nothing else. */
function createdKey(run: Run): { workspace_id: string; mode: string; api_key: string } {
  assert.equal(run.code, 0, run.stderr)
  const lines = run.stdout.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, `one line on stdout, got:\n${run.stdout}`)
  const out = JSON.parse(lines[0])
  assert.deepEqual(Object.keys(out).sort(), ['api_key', 'mode', 'workspace_id'])
  assert.match(out.api_key, /^keel_sk_[A-Za-z0-9_-]{20,}$/)
  assert.match(out.workspace_id, /^[0-9a-f-]{36}$/)
  return out
}

let h: Harness
before(async () => { h = await startHarness() })

// Whatever failed, leave no process behind: Keel first (it stops its own PostgreSQL), then any
// PostgreSQL a killed Keel could not stop, found by its pid file on our own data dirs.
after(async () => {
  for (const child of children) {
    if (!exited(child)) {
      child.kill('SIGTERM')
      if (!(await waitForExit(child, stopTimeoutMs))) child.kill('SIGKILL')
    }
  }
  for (const dir of dataDirs) {
    const pidFile = join(dir, 'pg', 'postmaster.pid')
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
      if (Number.isInteger(pid) && pid > 0) { try { process.kill(pid, 'SIGQUIT') } catch { /* already gone */ } }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  await h?.close()
})

describe('keel start and keel api-keys on one data dir', { timeout: testTimeoutMs * 4 }, () => {
  let dataDir: string
  let server: Server
  let firstKey: string
  let personId: string

  before(() => { dataDir = newDataDir() })

  it('starts on empty data, prints a first key and a curl example for the real port, and serves', { timeout: testTimeoutMs }, async () => {
    server = await startKeel(dataDir)
    const out = server.output()
    const port = Number(new URL(server.url).port)
    assert.ok(port > 0, `a real port, got ${server.url}`)
    const key = /^ {2}(keel_sk_\S+)$/m.exec(out)
    assert.ok(key, `a first API key in:\n${out}`)
    firstKey = key[1]
    assert.ok(out.includes(`curl -s ${server.url}/v0/persons -H "Authorization: Bearer ${firstKey}"`), `a curl example for ${server.url}`)

    // Asked until it answers, as an orchestrator's probe would (readyStatus).
    assert.equal(await readyStatus(server.url, Date.now() + startTimeoutMs), 200)
    const example = /-d '(\{.*\})'/.exec(out)
    assert.ok(example, 'the curl example sends a body')
    assert.equal((await call(server, 'POST', '/v0/persons', firstKey, JSON.parse(example[1]))).status, 201, 'the printed example works as printed')
    const created = await call(server, 'POST', '/v0/persons', firstKey, personBody())
    assert.equal(created.status, 201, JSON.stringify(created.body))
    personId = created.body.id
  })

  let liveKey: string

  it('api-keys create --json prints one JSON object; the key works at once against the running server', { timeout: testTimeoutMs }, async () => {
    const out = createdKey(await keel(['api-keys', 'create', '--json', '--data-dir', dataDir, '--workspace', 'cli-live', '--mode', 'live']))
    assert.equal(out.mode, 'live')
    liveKey = out.api_key
    assert.equal((await call(server, 'GET', '/v0/disclosures', liveKey)).status, 200)
    assert.equal((await call(server, 'GET', '/v0/disclosures', 'keel_sk_not_a_key')).status, 401, 'an unknown key is refused, so the 200 above proves the new key')
  })

  it('api-keys list shows the key; api-keys revoke makes it answer 401', { timeout: testTimeoutMs }, async () => {
    const list = await keel(['api-keys', 'list', '--data-dir', dataDir])
    assert.equal(list.code, 0, list.stderr)
    const line = list.stdout.split('\n').find((l) => l.includes(liveKey.slice(0, 12)))
    assert.ok(line, `the key's prefix in:\n${list.stdout}`)
    assert.match(line, /cli-live \(live\)\s+active$/)
    assert.ok(!list.stdout.includes(liveKey), 'the full key is never listed')

    const listed = await keel(['api-keys', 'list', '--json', '--data-dir', dataDir])
    const row = (JSON.parse(listed.stdout) as { id: string; workspace_name: string }[]).find((k) => k.workspace_name === 'cli-live')
    assert.ok(row)
    const revoked = await keel(['api-keys', 'revoke', row.id, '--data-dir', dataDir])
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.equal(revoked.stdout.trim(), `revoked ${row.id}`)

    const refused = await call(server, 'GET', '/v0/disclosures', liveKey)
    assert.equal(refused.status, 401)
    assert.equal(refused.body.code, 'UNAUTHENTICATED')
    assert.equal((await call(server, 'GET', '/v0/disclosures', firstKey)).status, 200, 'other keys still work')
    assert.equal((await keel(['api-keys', 'revoke', row.id, '--data-dir', dataDir])).code, 1, 'revoking twice reports nothing to revoke')
  })

  it('SIGTERM stops the server and leaves no PostgreSQL behind', { timeout: testTimeoutMs }, async () => {
    assert.equal(await server.stop(), 0)
    assertNoPostgres(dataDir)
  })

  it('api-keys create --json works with no server running, and stops the PostgreSQL it started', { timeout: testTimeoutMs }, async () => {
    const out = createdKey(await keel(['api-keys', 'create', '--json', '--data-dir', dataDir, '--workspace', 'cli-offline', '--mode', 'live']))
    assert.equal(out.mode, 'live')
    liveKey = out.api_key
    assertNoPostgres(dataDir)
  })

  it('a second start reuses the data: no new first key, the person and the offline key are there', { timeout: testTimeoutMs }, async () => {
    server = await startKeel(dataDir)
    assert.ok(!/keel_sk_/.test(server.output()), `no key printed on a restart:\n${server.output()}`)
    const person = await call(server, 'GET', `/v0/persons/${personId}`, firstKey)
    assert.equal(person.status, 200)
    assert.equal(person.body.id, personId)
    assert.equal((await call(server, 'GET', '/v0/disclosures', liveKey)).status, 200)
    assert.equal(await server.stop(), 0)
    assertNoPostgres(dataDir)
  })
})

describe('keel api-keys with DATABASE_URL', () => {
  it('creates the key in that database and touches no data dir', { timeout: testTimeoutMs }, async () => {
    const dataDir = newDataDir()
    const out = createdKey(await keel(['api-keys', 'create', '--json', '--data-dir', dataDir, '--workspace', 'cli-external', '--mode', 'live'], { DATABASE_URL: h.databaseUrl }))
    assert.equal(out.mode, 'live')
    const [workspace] = await h.sql<{ id: string; mode: string }[]>`select id, mode from workspaces where name = 'cli-external'`
    assert.deepEqual(workspace, { id: out.workspace_id, mode: 'live' })
    assert.equal((await h.request('GET', '/v0/disclosures', { key: out.api_key })).status, 200)
    assert.deepEqual(readdirSync(dataDir), [], 'no embedded PostgreSQL was set up')
  })
})

describe('keel partner-kyb with DATABASE_URL', () => {
  it('records and revokes a live workspace’s KYB; a listening server’s gate moves at once', { timeout: testTimeoutMs }, async () => {
    const env = { DATABASE_URL: h.databaseUrl }
    // As startServer does: a change made by the CLI drops this process's cached workspace.
    const heard = new Map<string, number>()
    await h.sql.listen(workspaceChangedChannel, (id) => { forgetWorkspace(id); heard.set(id, (heard.get(id) ?? 0) + 1) })
    const heardTimes = async (n: number) => {
      const deadline = Date.now() + commandTimeoutMs
      while ((heard.get(h.workspaces.live) ?? 0) < n) {
        assert.ok(Date.now() < deadline, `notification ${n} for the live workspace`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    // Accounts that do not exist: refused by the gate while it is shut, by the ledger once it is open.
    const probe = async () => (await h.request('POST', '/v0/transactions/internal_transfer', {
      key: h.keys.live, body: { amount: 1, currency: 'USD', type: 'ACCOUNT_TO_ACCOUNT', originating_account_id: uuidv7(), receiving_account_id: uuidv7() },
    })).body.code
    assert.equal(await probe(), 'PARTNER_NOT_VERIFIED')

    const passed = await keel(['partner-kyb', 'pass', '--workspace', 'live', '--json'], env)
    assert.equal(passed.code, 0, passed.stderr)
    const lines = passed.stdout.split('\n').filter((l) => l !== '')
    assert.equal(lines.length, 1, `one line on stdout, got:\n${passed.stdout}`)
    const out = JSON.parse(lines[0])
    assert.deepEqual({ ...out, partner_verified_at: typeof out.partner_verified_at }, { workspace_id: h.workspaces.live, name: 'live', mode: 'live', partner_verified: true, partner_verified_at: 'string' })
    await heardTimes(1)
    assert.equal(await probe(), 'ACCOUNT_NOT_FOUND')

    // Passing again keeps the first record; the id works as well as the name.
    const again = JSON.parse((await keel(['partner-kyb', 'pass', '--workspace', h.workspaces.live, '--json'], env)).stdout)
    assert.equal(again.partner_verified_at, out.partner_verified_at)
    const listed = await keel(['partner-kyb', 'list', '--json'], env)
    assert.equal(listed.code, 0, listed.stderr)
    const rows = JSON.parse(listed.stdout) as { name: string; partner_verified: boolean }[]
    assert.deepEqual(rows.filter((r) => ['a', 'live'].includes(r.name)).map((r) => [r.name, r.partner_verified]), [['a', true], ['live', true]])

    const revoked = await keel(['partner-kyb', 'revoke', '--workspace', 'live'], env)
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.equal(revoked.stdout.trim(), `workspace "live" (${h.workspaces.live}): partner KYB not passed: money movement blocked`)
    await heardTimes(3)
    assert.equal(await probe(), 'PARTNER_NOT_VERIFIED')
    const [row] = await h.sql`select partner_verified_at from workspaces where id = ${h.workspaces.live}`
    assert.equal(row.partner_verified_at, null)

    const sandbox = await keel(['partner-kyb', 'revoke', '--workspace', 'a'], env)
    assert.equal(sandbox.code, 1)
    assert.match(sandbox.stderr, /workspace "a" is a sandbox: its partner KYB is pre-passed/)
    const unknown = await keel(['partner-kyb', 'pass', '--workspace', 'no-such-workspace'], env)
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stderr.trim(), 'no workspace no-such-workspace')
    const usage = await keel(['partner-kyb', 'pass'], env)
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /keel partner-kyb pass --workspace NAME\|ID/)
  })
})

describe('keel clock with DATABASE_URL', () => {
  it('shows and advances a sandbox workspace’s clock; a listening server follows at once', { timeout: testTimeoutMs }, async () => {
    const env = { DATABASE_URL: h.databaseUrl }
    const ws = await h.newWorkspace('clock-cli', 'sandbox')
    // As startServer does: this process follows the offsets any process stores.
    const clock = h.services.clock as WorkspaceClock
    await followClocks(h.sql, clock)
    // Told after followClocks' own listener (listeners run in the order they were added).
    let told = () => {}
    const heard = new Promise<void>((resolve) => { told = resolve })
    await h.sql.listen(clockChangedChannel, (payload) => { if (payload.startsWith(ws.id)) told() })
    const shown = await keel(['clock', 'show', '--workspace', 'clock-cli', '--json'], env)
    assert.equal(shown.code, 0, shown.stderr)
    const before = Date.parse(JSON.parse(shown.stdout).now)
    const advanced = await keel(['clock', 'advance', '--workspace', ws.id, '--by', 'P2D', '--json'], env)
    assert.equal(advanced.code, 0, advanced.stderr)
    const after = Date.parse(JSON.parse(advanced.stdout).now)
    assert.ok(after - before >= 2 * 86_400_000 && after - before < 2 * 86_400_000 + commandTimeoutMs, `moved ${after - before} ms`)
    await heard
    assert.ok(clock.now(ws.id).getTime() >= after, 'the server follows the new offset as soon as it hears of it')
    const served = await h.request('GET', '/v0/sandbox/clock', { key: ws.key })
    assert.ok(Date.parse(served.body.now) >= after)
    const back = await keel(['clock', 'advance', '--workspace', ws.id, '--to', '2001-01-01T00:00:00Z'], env)
    assert.equal(back.code, 1)
    assert.match(back.stderr, /the clock moves forward only/)
    const live = await keel(['clock', 'advance', '--workspace', 'live', '--by', 'PT1H'], env)
    assert.equal(live.code, 1)
    assert.match(live.stderr, /moves of the workspace clock \(a live workspace follows real time\) exist only in sandbox workspaces/)
    const usage = await keel(['clock', 'advance'], env)
    assert.equal(usage.code, 2)
  })
})

describe('keel with no command, help, or an unknown one', () => {
  it('says a wrong setting in one line, without a stack', { timeout: testTimeoutMs }, async () => {
    const run = await keel(['start'], { PORT: 'eighty' })
    assert.deepEqual([run.code, run.stderr], [1, 'keel: PORT must be a TCP port, got eighty\n'])
  })

  it('prints every command\'s usage for help; no command, or a name that is not a command, is a usage error', { timeout: testTimeoutMs }, async () => {
    const commands = ['start', 'ach', 'api-keys', 'card-widget', 'clock', 'ledger', 'partner-kyb', 'watchlist']
    const help = await keel(['--help'])
    assert.equal(help.code, 0, help.stderr)
    for (const c of commands) assert.match(help.stdout, new RegExp(`^  keel ${c} `, 'm'), `usage of keel ${c}`)
    const none = await keel([])
    assert.deepEqual([none.code, none.stdout], [2, help.stdout])
    // A name that is a property of every object is not a command either.
    const unknown = await keel(['constructor'])
    assert.equal(unknown.code, 2)
    assert.equal(unknown.stderr, `unknown command: constructor\n\n${help.stdout}`)
  })
})
