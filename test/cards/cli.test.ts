// `keel card-widget origins`: the operator names the origins that may frame a workspace's widget.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { runKeel } from '../support/keel-process.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const keel = (args: string[]) => runKeel(h.databaseUrl, args)

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
