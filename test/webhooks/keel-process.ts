// Runs `node bin/keel.mjs start` as a separate process on a test's database, the way an operator
// runs several Keel nodes. Every process started here is killed by killAll(), even after a failure.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
export const keelStartWaitMs = 60_000
const children = new Set<ChildProcess>()
const scratch = mkdtempSync(join(tmpdir(), 'keel-webhooks-proc-'))

export interface KeelProcess { child: ChildProcess; url: string; kill(signal?: NodeJS.Signals): Promise<void> }

export async function startKeel(databaseUrl: string, encryptionKey: string): Promise<KeelProcess> {
  const child = spawn(process.execPath, [join(root, 'bin', 'keel.mjs'), 'start'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', KEEL_ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: 'info', KEEL_DATA_DIR: scratch },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => { children.delete(child); resolve() }))
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`keel start did not come up within ${keelStartWaitMs} ms:\n${output}`)), keelStartWaitMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = /Keel is serving (http:\/\/[^\s/]+)\/v0/.exec(output)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`keel start exited with ${code}:\n${output}`)) })
  })
  return {
    child, url,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve()
    c.once('exit', () => resolve())
    c.kill('SIGKILL')
  })))
  rmSync(scratch, { recursive: true, force: true })
}
