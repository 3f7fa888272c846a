// A Keel server as its own process (`keel start`) on an external database, for tests and benches
// that need several processes or a load generator that does not share the server's CPU time.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const keelBin = join(import.meta.dirname, '..', '..', 'bin', 'keel.mjs')
export const keelStartTimeoutMs = 60_000
const keelStopTimeoutMs = 15_000

export interface KeelProcess { url: string; child: ChildProcess; stop(): Promise<void> }

export async function startKeel(databaseUrl: string, env: Record<string, string> = {}): Promise<KeelProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-proc-'))
  const child = spawn(process.execPath, [keelBin, 'start', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', KEEL_ENCRYPTION_KEY: '11'.repeat(32), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`keel did not start in ${keelStartTimeoutMs} ms:\n${output}`)), keelStartTimeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = /Keel is serving (http:\/\/[^\s/"]+)\/v0/.exec(output)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`keel exited with ${code}:\n${output}`)) })
  })
  // Keep draining the pipes so a chatty server never blocks on a full one.
  child.stdout!.resume()
  child.stderr!.resume()
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
