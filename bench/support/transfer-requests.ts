// The internal transfers the benches post, as a fintech's backend would: 1 cent between two random
// seeded accounts (uniform) or from the funding account (hot), with a fresh Idempotency-Key each.
import { randomUUID } from 'node:crypto'
import type { MakeRequest } from './http-load.js'

export type Scenario = 'uniform' | 'hot'
export const transferPath = '/v0/transactions/internal_transfer'
export const transferCents = 1

/** A transfer body: 1 cent between two random accounts (uniform), or from the funding account (hot). */
function bodyMaker(scenario: Scenario, funding: string, accounts: string[]): () => string {
  const pick = () => accounts[Math.floor(Math.random() * accounts.length)]
  return () => {
    const receiving = pick()
    let originating = funding
    if (scenario === 'uniform') {
      do originating = pick()
      while (originating === receiving)
    }
    return `{"amount":${transferCents},"currency":"USD","type":"ACCOUNT_TO_ACCOUNT","originating_account_id":"${originating}","receiving_account_id":"${receiving}"}`
  }
}

export function requestMaker(apiKey: string, scenario: Scenario, funding: string, accounts: string[]): MakeRequest {
  const nextBody = bodyMaker(scenario, funding, accounts)
  return () => ({
    path: transferPath,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: nextBody(),
  })
}
