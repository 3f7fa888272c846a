// npm run bench:statements: the month-end close of one workspace (interest payout, monthly fee,
// statement) for BENCH_ACCOUNTS accounts (default 100,000), in accounts per second, with memory.
//
// In process, on a fresh database (DATABASE_URL's server, or an embedded PostgreSQL in a temporary
// folder). Accounts are written straight into the accounts and ledger tables (a bench fixture, not
// the API: opening 100,000 accounts through HTTP would take longer than the close being measured),
// each funded by a ledger transfer from the sandbox funding account. BENCH_INTEREST_SHARE of them
// (default 0.1) carry an INTEREST product, and so a daily accrual; all carry a monthly FEE product,
// waived for half of them by the minimum-balance rule. The days before the month's last are closed
// first, unmeasured; then the last day, which issues every statement, is timed.
//
// Knobs: BENCH_ACCOUNTS, BENCH_INTEREST_SHARE.
import { cpus, loadavg, totalmem } from 'node:os'
import { createProduct } from '../src/accounts/products/service.js'
import { ensureSandboxFunding, sandboxFundingAccountId } from '../src/accounts/index.js'
import { applyInTransaction, auditLedger, expiredStatements, type LedgerRequest } from '../src/ledger/index.js'
import { WorkspaceClock } from '../src/platform/clock.js'
import { connect } from '../src/platform/db.js'
import { uuidv7 } from '../src/platform/ids.js'
import { migrate } from '../src/platform/migrate.js'
import { ensureWorkspace } from '../src/platform/workspaces.js'
import { closeDueDays } from '../src/statements/index.js'
import { dayCloseConcurrency } from '../src/statements/day-close.js'
import { endOfDay, startOfDay } from '../src/statements/calendar.js'
import { openBenchDatabase } from './support/database.js'

const accountCount = Number(process.env.BENCH_ACCOUNTS ?? 100_000)
const interestShare = Number(process.env.BENCH_INTEREST_SHARE ?? 0.1)
const seedBatch = 1_000
const month = { first: '2033-03-01', last: '2033-03-31' }

const db = await openBenchDatabase()
const sql = connect(db.url, dayCloseConcurrency + 4)
await migrate(sql)
let nowMs = startOfDay(month.first).getTime() + 12 * 3_600_000
const clock = new WorkspaceClock(() => nowMs)
const ws = await ensureWorkspace(sql, 'bench-statements', 'sandbox')
const [{ version }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`

// ---- seed
const seedStarted = performance.now()
const now = () => new Date(nowMs)
const interest = await createProduct(sql, ws.id, { product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: [{ accrual_period: 'DAILY', rate: 400, valid_from: '2033-01-01' }] }, now())
const fee = await createProduct(sql, ws.id, { product_type: 'FEE', fee_type: 'MONTHLY_FEE', amount: 500, currency: 'USD' }, now())
await ensureSandboxFunding(sql, clock, ws.id)
const funding = sandboxFundingAccountId(ws.id)
for (let from = 0; from < accountCount; from += seedBatch) {
  const n = Math.min(seedBatch, accountCount - from)
  const rows = Array.from({ length: n }, (_, i) => {
    const k = from + i
    return {
      id: uuidv7(), number: String(100_000_000_000 + k), interest: k < accountCount * interestShare,
      // Even accounts keep over the waiver's minimum; odd ones do not.
      opening: k % 2 === 0 ? 200_000 : 50_000,
    }
  })
  const at = now()
  await sql.begin(async (tx) => {
    await tx`insert into ledger_accounts (workspace_id, id, kind, account_number, currency, status, access_status, floor, ceiling, created_at)
      select ${ws.id}, id, 'ACCOUNT', account_number, 'USD', 'ACTIVE_OR_DISBURSED', 'ACTIVE', 0, null, ${at}
      from jsonb_to_recordset(${tx.json(rows.map((r) => ({ id: r.id, account_number: r.number })) as never)}) as x(id uuid, account_number text)`
    await tx`insert into accounts (workspace_id, id, account_type, status, access_status, customer_type, interest_product_id, fields, created_at, updated_at)
      select ${ws.id}, id, 'CHECKING', 'ACTIVE_OR_DISBURSED', 'ACTIVE', 'PERSONAL', interest_product_id, fields, ${at}, ${at}
      from jsonb_to_recordset(${tx.json(rows.map((r) => ({
        id: r.id, interest_product_id: r.interest ? interest.id : null,
        fields: { currency: 'USD', fee_product_ids: [fee.id], metadata: { monthly_fee_waiver_min_balance: 100_000 } },
      })) as never)}) as x(id uuid, interest_product_id uuid, fields jsonb)`
    const requests: LedgerRequest[] = rows.map((r) => ({
      workspaceId: ws.id, now: at, partnerVerified: true,
      commands: [{ id: uuidv7(), kind: 'post', legs: [{ accountId: funding, amount: -BigInt(r.opening), currency: 'USD' }, { accountId: r.id, amount: BigInt(r.opening), currency: 'USD' }], meta: { kind: 'BENCH', type: 'ACCOUNT_TO_ACCOUNT' } }],
    }))
    const results = await applyInTransaction(tx, requests, { expiredStatements, nowOf: () => at })
    if (results.some((r) => !r.ok)) throw new Error('seeding transfer refused')
  })
}
const seedSeconds = (performance.now() - seedStarted) / 1000

// ---- the days before the last, unmeasured
nowMs = startOfDay(month.last).getTime() + 3_600_000
const earlyStarted = performance.now()
const earlyDays = await closeDueDays(sql, clock, ws.id)
const earlySeconds = (performance.now() - earlyStarted) / 1000

// ---- the month end, measured
let rssMax = 0
let heapMax = 0
const sample = () => {
  const m = process.memoryUsage()
  rssMax = Math.max(rssMax, m.rss)
  heapMax = Math.max(heapMax, m.heapUsed)
}
const sampler = setInterval(sample, 250)
const cpuBefore = process.cpuUsage()
nowMs = endOfDay(month.last).getTime() + 3_600_000
const started = performance.now()
const lastDays = await closeDueDays(sql, clock, ws.id)
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
clearInterval(sampler)
sample()

const [counts] = await sql`select
  (select count(*)::int from statements where workspace_id = ${ws.id}) as statements,
  (select count(*)::int from ledger_transfers where workspace_id = ${ws.id} and kind = 'FEE') as fees,
  (select count(*)::int from ledger_transfers where workspace_id = ${ws.id} and kind = 'INTEREST') as payouts`
const audit = await auditLedger(sql, ws.id)
const mib = (b: number) => `${(b / 1_048_576).toFixed(0)} MiB`

console.log(`bench:statements: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} RAM, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log(`Node ${process.version}, PostgreSQL ${version} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}), ${dayCloseConcurrency} accounts at once`)
console.log(`accounts ${accountCount} (${Math.round(interestShare * 100)}% with interest), seeded in ${seedSeconds.toFixed(1)} s; days before the month end: ${earlyDays} in ${earlySeconds.toFixed(1)} s`)
console.log(`month end (${month.last}): ${lastDays} day closed in ${seconds.toFixed(1)} s = ${(accountCount / seconds).toFixed(0)} accounts/s`)
console.log(`  statements ${counts.statements}, fees ${counts.fees} (half waived), interest payouts ${counts.payouts}`)
console.log(`  this process: CPU ${((cpu.user + cpu.system) / 1000 / accountCount).toFixed(2)} ms per account, RSS max ${mib(rssMax)}, heap max ${mib(heapMax)}`)
console.log(`  ledger check: ${audit.discrepancies.length === 0 ? 'clean' : `${audit.discrepancies.length} discrepancies`}`)
const ok = counts.statements === accountCount && audit.discrepancies.length === 0
await sql.end({ timeout: 5 })
await db.stop()
if (!ok) {
  console.error('FAILED: not every account has its statement, or the books do not balance')
  process.exit(1)
}
