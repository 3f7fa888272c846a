// Accounts for a transfer bench, opened and funded through Keel's public API only, as an integrator
// would: a verified person, an account template, `count` CHECKING accounts held by that person, each
// funded by an internal transfer from the sandbox workspace's funding account. Nothing here knows
// Keel's tables or its ledger's code, so the bench outlives changes to either.
import { randomUUID } from 'node:crypto'
import type { Pool } from 'undici'

/** Requests in flight while seeding. */
const seedConcurrency = 32

export interface SeededAccounts {
  funding: string
  accounts: string[]
  /** Seconds spent opening the accounts, and funding them. */
  openingSeconds: number
  fundingSeconds: number
}

/** One request of the seeding, keyed when it has a body; anything but `expected` throws. */
export async function call(pool: Pool, key: string, method: 'GET' | 'POST' | 'PATCH', path: string, expected: number, body?: unknown): Promise<any> {
  const res = await pool.request({
    method, path,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.body.text()
  if (res.statusCode !== expected) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`)
  return JSON.parse(text)
}

/** Runs `task` for 0..count-1 with at most `seedConcurrency` at once; results in order. */
export async function inParallel<T>(count: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await task(i)
  }
  await Promise.all(Array.from({ length: Math.min(seedConcurrency, count) }, worker))
  return results
}

export async function seedThroughApi(pool: Pool, key: string, count: number, openingCents: number): Promise<SeededAccounts> {
  const internal = await call(pool, key, 'GET', '/v0/internal_accounts', 200)
  const funding = internal.internal_accounts.find((a: { account_type?: string }) => a.account_type === 'NEW_FUNDING_ACCOUNT')
  if (!funding) throw new Error('the sandbox workspace has no funding account')

  const person = await call(pool, key, 'POST', '/v0/persons', 201, {
    is_customer: true, status: 'ACTIVE', first_name: 'Bench', last_name: 'Holder', dob: '1985-12-10',
    email: 'bench.holder@example.com', phone_number: '+14155550100', ssn: '123-45-6789',
    legal_address: { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' },
  })
  const verified = await call(pool, key, 'POST', '/v0/verifications/verify', 201, { customer_consent: true, person_id: person.id })
  if (verified.verification_status !== 'ACCEPTED') throw new Error(`the bench's account holder was not verified: ${JSON.stringify(verified)}`)
  const template = await call(pool, key, 'POST', '/v0/accounts/templates', 201, {
    name: 'Bench checking', is_enabled: true, template: { account_type: 'CHECKING', currency: 'USD', bank_country: 'US' },
  })

  const openingStart = performance.now()
  const accounts = await inParallel(count, async () => {
    const account = await call(pool, key, 'POST', '/v0/accounts', 201, {
      account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', person_id: person.id }],
    })
    return account.id as string
  })
  const fundingStart = performance.now()
  await inParallel(count, async (i) => {
    const t = await call(pool, key, 'POST', '/v0/transactions/internal_transfer', 200, {
      amount: openingCents, currency: 'USD', type: 'ACCOUNT_TO_ACCOUNT', originating_account_id: funding.id, receiving_account_id: accounts[i],
    })
    if (t.status !== 'COMPLETE') throw new Error(`funding ${accounts[i]}: ${JSON.stringify(t)}`)
  })
  const end = performance.now()
  return { funding: funding.id, accounts, openingSeconds: (fundingStart - openingStart) / 1000, fundingSeconds: (end - fundingStart) / 1000 }
}
