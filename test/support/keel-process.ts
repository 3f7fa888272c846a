// A Keel server as its own process (`keel start`) on an external database, for tests and benches
// that need several processes or a load generator that does not share the server's CPU time.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const keelBin = join(import.meta.dirname, '..', '..', 'bin', 'keel.mjs')
export const keelStartTimeoutMs = 60_000
const keelStopTimeoutMs = 15_000
const readyPollMs = 100

/** A TCP port free right now (the OS picks it; the child binds it moments later). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

export interface KeelProcess { url: string; child: ChildProcess; stop(): Promise<void> }

/**
 * Asks a server started as its own process for its readiness until it answers 200, `deadline`
 * (Date.now() milliseconds) passes, or `gone()` says the process has exited; the last status (0: not
 * listening yet). The server is another process, on its own clock and its own database
 * connections, so this polls on real time: the only clock it answers to. Its probe allows the
 * database 2 s, which a server just started beside a busy test run can miss once.
 */
export async function readyStatus(url: string, deadline: number, gone: () => boolean = () => false): Promise<number> {
  for (;;) {
    let status = 0
    try { status = (await fetch(`${url}/health/ready`)).status } catch { /* not listening yet */ }
    if (status === 200 || gone() || Date.now() > deadline) return status
    await new Promise((r) => setTimeout(r, readyPollMs))
  }
}

/** How a process is started: under a launcher (`valgrind --tool=callgrind …`, which then runs node), and how long it may take to answer. */
export interface LaunchOptions { launcher?: string[]; startTimeoutMs?: number }

/** The command and arguments that run node with `args`, under `launcher` if there is one. */
export function launch(args: string[], launcher: string[] = []): [string, string[]] {
  return launcher.length ? [launcher[0], [...launcher.slice(1), process.execPath, ...args]] : [process.execPath, args]
}

/** `nodeArgs` go to node itself (e.g. --cpu-prof for a profile of the server under load). */
export async function startKeel(databaseUrl: string, env: Record<string, string> = {}, nodeArgs: string[] = [], options: LaunchOptions = {}): Promise<KeelProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-proc-'))
  const port = await freePort()
  const startTimeoutMs = options.startTimeoutMs ?? keelStartTimeoutMs
  const child = spawn(...launch(['--max-semi-space-size=64', ...nodeArgs, keelBin, 'start', '--port', String(port), '--data-dir', dataDir], options.launcher), {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', KEEL_ENCRYPTION_KEY: '11'.repeat(32), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let exitCode: number | null = null
  child.stdout!.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr!.on('data', (c: Buffer) => { output += c.toString() })
  child.on('exit', (code) => { exitCode = code ?? -1 })
  // Whatever the log level, the server is up when it answers its readiness probe.
  const url = `http://127.0.0.1:${port}`
  const status = await readyStatus(url, Date.now() + startTimeoutMs, () => exitCode !== null)
  if (exitCode !== null) throw new Error(`keel exited with ${exitCode}:\n${output}`)
  if (status !== 200) { child.kill('SIGKILL'); throw new Error(`keel did not start in ${startTimeoutMs} ms:\n${output}`) }
  // Keep what it says short: a chatty server must not fill memory or block on a full pipe.
  child.stdout!.removeAllListeners('data').resume()
  child.stderr!.removeAllListeners('data').resume()
  return {
    url, child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), keelStopTimeoutMs)
        await exited
        clearTimeout(timer)
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface KeelRun { code: number | null; stdout: string; stderr: string }

/**
 * Runs a `keel` command (`keel ach ingest …`) to its end against `databaseUrl`, with `env` added.
 * No time limit of its own: how long a command takes depends on the machine, so a hung command is
 * left to the test runner's and CI's limits rather than failed by a timer that a busy machine trips.
 */
export function runKeel(databaseUrl: string, args: string[], env: Record<string, string> = {}): Promise<KeelRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...env }
  delete childEnv.KEEL_DATA_DIR
  const child = spawn(process.execPath, [keelBin, ...args], { cwd: join(keelBin, '..', '..'), env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => { stdout += d })
  child.stderr!.on('data', (d) => { stderr += d })
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}
