// Resolving incoming entries IN_SUSPENSE (POST /v0/ach/incoming/{id}/resolve, a Keel extension, and
// `keel ach resolve`): an entry Keel took back after its return was dishonored (R61, accepted) but
// could not post waits in the suspense account; the bank posts it to an account or returns it in
// the next file. Clean 400/404/422 for bad input or a wrong state, nothing half-applied, books clean.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, it } from 'node:test'
import { suspenseAccountNumber } from '../../src/ach/ledger.js'
import { ledgerAccountByNumber } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, transfer } from '../support/accounts.js'
import { runKeel } from '../support/keel-process.js'
import { advanceTo, assertBooksClean, customer, expectBalances, getAch, incomingByAccount } from './support.js'

const encryptionKey = randomBytes(32).toString('hex')
let h: Harness
before(async () => {
  h = await startHarness({ encryptionKey })
  await advanceTo(h, '2031-06-04T12:00:00Z') // Wednesday 08:00 ET
})
after(async () => { await h.close() })

const keel = (args: string[]) => runKeel(h.databaseUrl, args, { KEEL_ENCRYPTION_KEY: encryptionKey })
const resolve = (id: string, body: unknown, key?: string) => h.request('POST', `/v0/ach/incoming/${id}/resolve`, { body, key })
const suspense = async () => (await ledgerAccountByNumber(h.sql, h.workspaces.a, suspenseAccountNumber))?.posted ?? 0n

/** An incoming entry Keel returns (unknown account, or a debit it cannot pay): the entry and Keel's return. */
async function returnedEntry(accountNo: string, amount: number, dc_sign: 'credit' | 'debit') {
  const sim = await h.request('POST', '/v0/ach/transaction_simulations/receiving_transaction', { body: { account_number: accountNo, amount, dc_sign, effective_date: '2031-06-04' } })
  assert.equal(sim.status, 201, JSON.stringify(sim.body))
  const received = (await incomingByAccount(h, accountNo)).at(-1)
  assert.equal(received.status, 'RETURNED')
  const ours = (await h.request('GET', `/v0/ach?incoming_ach_id=${received.id}`)).body.transactions[0]
  return { received, ours }
}

it('posts or returns entries held in suspense, through the API and the CLI, and refuses what it must', async () => {
  const payer = await customer(h, 1_000)
  const target = await customer(h, 0)
  const credit = await returnedEntry('99999999980', 700, 'credit')
  const credit2 = await returnedEntry('99999999981', 800, 'credit')
  const debit = await returnedEntry(payer.account.account_number, 5_000, 'debit')
  const credit3 = await returnedEntry('99999999982', 300, 'credit')
  await advanceTo(h, '2031-06-04T17:01:00Z') // Keel's returns cut at 10:30 and settled at 13:00
  // The originating bank dishonors each return as misrouted (R61); Keel accepts: the entries are Keel's again, in suspense.
  for (const e of [credit, credit2, debit, credit3]) {
    assert.equal((await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: e.ours.id, return_code: 'R61' } })).status, 201)
    assert.equal((await h.request('GET', `/v0/ach/incoming/${e.received.id}`)).body.status, 'IN_SUSPENSE')
  }
  assert.equal(await suspense(), 700n + 800n - 5_000n + 300n)

  // Bad requests: 400 naming the field, 404 for an unknown entry; nothing changes.
  const id = credit.received.id
  const bad: [unknown, string][] = [
    [{}, 'missing'], [{ action: 'POST' }, 'missing'], [{ action: 'POST', account_id: 'nope' }, 'invalid'], [{ action: 'KEEP' }, 'invalid'],
    [{ action: 'RETURN', account_id: target.account.id }, 'invalid'], [{ action: 'RETURN', return_code: 'R68' }, 'invalid'], [{ action: 'POST', account_id: target.account.id, note: 1 }, 'invalid'],
  ]
  for (const [body, field] of bad) {
    const res = await resolve(id, body)
    assert.equal(res.status, 400, JSON.stringify(body))
    assert.equal(res.body.code, 'BAD_REQUEST_BODY')
    assert.ok(res.body[field], `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`)
  }
  assert.equal((await resolve('0190aaaa-0000-7000-8000-000000000000', { action: 'RETURN' })).status, 404)
  assert.equal((await resolve(id, { action: 'POST', account_id: '0190aaaa-0000-7000-8000-000000000000' })).body.code, 'ACCOUNT_NOT_FOUND')
  assert.equal((await resolve(id, { action: 'RETURN' }, h.keys.b)).status, 404, 'another workspace\'s entry')
  assert.equal((await h.request('GET', `/v0/ach/incoming/${id}`)).body.status, 'IN_SUSPENSE')

  // POST: the 700 goes to the account named.
  const posted = await resolve(id, { action: 'POST', account_id: target.account.id })
  assert.equal(posted.status, 200, JSON.stringify(posted.body))
  assert.deepEqual([posted.body.status, posted.body.account_id], ['POSTED', target.account.id])
  // Still why it did not post when first processed (the spec's decline_reason): Keel's first return.
  assert.match(posted.body.decline_reason, /^R\d\d: /)
  await expectBalances(h, target.account.id, { posted: 700, available: 700 })
  assert.equal((await resolve(id, { action: 'POST', account_id: target.account.id })).body.code, 'INVALID_STATUS')
  await expectBalances(h, target.account.id, { posted: 700, available: 700 })

  // A debit the account still cannot pay: 422, and it stays in suspense; once funded, it posts.
  const refused = await resolve(debit.received.id, { action: 'POST', account_id: payer.account.id })
  assert.deepEqual([refused.status, refused.body.code], [422, 'INSUFFICIENT_FUNDS'])
  assert.equal((await h.request('GET', `/v0/ach/incoming/${debit.received.id}`)).body.status, 'IN_SUSPENSE')
  const funding = await fundingAccount(h)
  assert.equal((await transfer(h, { amount: 4_500, originating_account_id: funding.id, receiving_account_id: payer.account.id })).status, 200)
  assert.equal((await resolve(debit.received.id, { action: 'POST', account_id: payer.account.id })).body.status, 'POSTED')
  await expectBalances(h, payer.account.id, { posted: 500, available: 500 })

  // RETURN: the 800 goes back in the next file with Keel's earlier code (R03), and leaves suspense.
  const returned = await resolve(credit2.received.id, { action: 'RETURN' })
  assert.equal(returned.status, 200, JSON.stringify(returned.body))
  assert.equal(returned.body.status, 'RETURNED')
  assert.match(returned.body.decline_reason, /^R03: returned from suspense/)
  const sent = (await h.request('GET', `/v0/ach?incoming_ach_id=${credit2.received.id}`)).body.transactions
  const again = sent.find((t: any) => t.id !== credit2.ours.id)
  assert.deepEqual([again.status, again.return_data.code, again.amount], ['INIT', 'R03', 800])

  // The CLI: usage errors, then a RETURN with a code of its own.
  assert.equal((await keel(['ach', 'resolve', credit3.received.id, '--workspace', 'a'])).code, 2)
  assert.equal((await keel(['ach', 'resolve', credit3.received.id, '--workspace', 'a', '--post', target.account.id, '--return'])).code, 2)
  const cli = await keel(['ach', 'resolve', credit3.received.id, '--workspace', 'a', '--return', '--return-code', 'R04', '--json'])
  assert.equal(cli.code, 0, cli.stderr)
  assert.deepEqual([JSON.parse(cli.stdout).status, JSON.parse(cli.stdout).decline_reason.slice(0, 3)], ['RETURNED', 'R04'])
  const twice = await keel(['ach', 'resolve', credit3.received.id, '--workspace', 'a', '--return'])
  assert.equal(twice.code, 1)
  assert.match(twice.stderr, /only an entry IN_SUSPENSE/)

  assert.equal(await suspense(), 0n)
  await advanceTo(h, '2031-06-05T12:00:00Z') // the returns go out at 02:15 ET and settle at 08:30
  assert.equal((await getAch(h, again.id)).status, 'COMPLETE')
  assert.equal(await suspense(), 0n)
  await assertBooksClean(h)
})
