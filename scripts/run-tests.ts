// `npm test`: starts one PostgreSQL for the whole run (the embedded one, or the server named by
// DATABASE_URL), migrates a template database once, parses the spec the responses are checked
// against once, and runs every test file with node's test runner. Each test file then clones the
// template (CREATE DATABASE … TEMPLATE, ≈60 ms) so files never share data and can run in parallel.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { withDatabase } from '../src/platform/database-url.js'
import { connect } from '../src/platform/db.js'
import { ensureEmbeddedDatabase, startEmbedded } from '../src/platform/embedded-postgres.js'
import { migrate } from '../src/platform/migrate.js'
import { parsedSpec } from '../test/support/conformance.js'

const root = join(import.meta.dirname, '..')
const testConcurrency = Number(process.env.KEEL_TEST_CONCURRENCY ?? 2)

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : testFiles(p)
    return name.endsWith('.test.ts') ? [p] : []
  })
}

const filter = process.argv.slice(2)
const files = [...testFiles(join(root, 'src')), ...testFiles(join(root, 'test'))]
  .filter((f) => filter.length === 0 || filter.some((w) => f.includes(w)))
  .map((f) => relative(root, f)).sort()

/**
 * KEEL_TEST_EAGER_AUTOVACUUM=1, on the embedded server only (the settings are the scratch cluster's
 * own): autovacuum looks at every table each second and analyzes one once a few rows of it have
 * changed. A test whose plans hang on whether the statistics were gathered before or after it grew
 * its tables then fails here, where in an ordinary run it fails now and then (docs/contributing.md).
 */
async function eagerAutovacuum(url: string) {
  const sql = connect(url, 1)
  try {
    for (const [name, value] of [['autovacuum_naptime', '1'], ['autovacuum_analyze_threshold', '10'], ['autovacuum_analyze_scale_factor', '0.005'],
      ['autovacuum_vacuum_threshold', '10'], ['autovacuum_vacuum_scale_factor', '0.005']]) await sql.unsafe(`alter system set ${name} = ${value}`)
    await sql`select pg_reload_conf()`
  } finally {
    await sql.end()
  }
  console.log('autovacuum eager: each table looked at every second, analyzed after a few rows')
}

let serverUrl: string
let stopServer = async () => {}
let scratch: string | undefined
if (process.env.DATABASE_URL) {
  serverUrl = process.env.DATABASE_URL
  console.log(`tests against DATABASE_URL (${serverUrl.replace(/:[^:@/]*@/, ':***@')})`)
} else {
  scratch = mkdtempSync(join(tmpdir(), 'keel-test-'))
  chmodSync(scratch, 0o755) // the server runs as the postgres user and must reach its folder
  const server = await startEmbedded(scratch, () => {})
  await ensureEmbeddedDatabase(server.url)
  serverUrl = server.url
  stopServer = server.stop
  console.log('tests against the embedded PostgreSQL')
  if (process.env.KEEL_TEST_EAGER_AUTOVACUUM === '1') await eagerAutovacuum(serverUrl)
}

// The spec every test file checks responses against, parsed once for the run.
const specDir = mkdtempSync(join(tmpdir(), 'keel-test-spec-'))
const specJson = join(specDir, 'spec.json')
writeFileSync(specJson, JSON.stringify(parsedSpec()))

const template = `keel_test_template_${randomBytes(4).toString('hex')}`
const admin = connect(serverUrl, 2)
let exitCode = 1
try {
  await admin.unsafe(`create database ${template}`)
  const tpl = connect(withDatabase(serverUrl, template), 1)
  await migrate(tpl)
  await tpl.end()

  exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${testConcurrency}`, ...files], {
      cwd: root, stdio: 'inherit',
      env: { ...process.env, KEEL_TEST_SERVER_URL: serverUrl, KEEL_TEST_TEMPLATE: template, KEEL_TEST_SPEC_JSON: specJson },
    })
    child.on('exit', (code) => resolve(code ?? 1))
  })
} finally {
  // Test files drop their own databases; this removes the template and any a crashed file left.
  const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${template + '%'} or datname like ${'keel_t_' + template.slice(-8) + '%'}`
  for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`)
  await admin.end()
  await stopServer()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
  rmSync(specDir, { recursive: true, force: true })
}
process.exit(exitCode)
