// `keel card-widget origins`: the operator names the origins that may frame a workspace's widget.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'

const root = join(import.meta.dirname, '..', '..')
const commandTimeoutMs = 60_000
let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

function keel(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: h.databaseUrl, LOG_LEVEL: 'warn' }
  delete env.KEEL_DATA_DIR
  const child = spawn(process.execPath, [join(root, 'bin', 'keel.mjs'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += d })
  child.stderr.on('data', (d) => { stderr += d })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`keel ${args.join(' ')} did not finish\n${stderr}`)) }, commandTimeoutMs)
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

it('sets, lists and clears the widget origins of a workspace, which the pages then send', async () => {
  const set = await keel(['card-widget', 'origins', '--workspace', 'a', '--set', 'https://app.acme.example, https://admin.acme.example:8443'])
  assert.equal(set.code, 0, set.stderr)
  assert.deepEqual(set.stdout.trim().split('\n'), ['https://admin.acme.example:8443', 'https://app.acme.example'])
  const page = await h.app.inject({ method: 'GET', url: `/widgets/cards/${h.workspaces.a}/show_card` })
  assert.match(String(page.headers['content-security-policy']), /frame-ancestors https:\/\/admin\.acme\.example:8443 https:\/\/app\.acme\.example$/)
  const list = await keel(['card-widget', 'origins', '--workspace', h.workspaces.a])
  assert.equal(list.code, 0)
  assert.match(list.stdout, /app\.acme\.example/)
  const bad = await keel(['card-widget', 'origins', '--workspace', 'a', '--set', 'https://x.example/path'])
  assert.notEqual(bad.code, 0)
  assert.match((await keel(['card-widget', 'origins', '--workspace', 'a'])).stdout, /app\.acme\.example/, 'a refused change changes nothing')
  const unknown = await keel(['card-widget', 'origins', '--workspace', 'nope'])
  assert.equal(unknown.code, 1)
  const cleared = await keel(['card-widget', 'origins', '--workspace', 'a', '--set', ''])
  assert.equal(cleared.code, 0)
  assert.match(cleared.stdout, /cannot be framed/)
  const closed = await h.app.inject({ method: 'GET', url: `/widgets/cards/${h.workspaces.a}/show_card` })
  assert.match(String(closed.headers['content-security-policy']), /frame-ancestors 'none'/)
})
