import { assert } from '../platform/assert.js'

/** A ledger amount (bigint minor units) as the JSON integer the API shows; never a lossy float. */
export function amountToJson(v: bigint): number {
  const n = Number(v)
  assert(Number.isSafeInteger(n) && BigInt(n) === v, `amount ${v} fits a JSON integer`)
  return n
}

/** A JSON integer amount from a request (already schema-checked as an integer) as ledger minor units. */
export function amountFromJson(n: number): bigint {
  assert(Number.isSafeInteger(n), `amount ${n} is a safe integer`)
  return BigInt(n)
}
