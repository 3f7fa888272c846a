// Fee arithmetic, pure: how much of a fee can be charged without breaching the account's floor,
// a first cycle's pro-rated monthly fee, and the minimum-balance waiver.

import { assert } from '../platform/assert.js'
import { divRoundHalfUp } from '../interest/arithmetic.js'

/**
 * What of a fee is charged now and what is owed: up to what is available above the floor (no
 * floor: all of it). `posted − held` is the available balance.
 */
export function chargeable(fee: bigint, account: { posted: bigint; held: bigint; floor: bigint | null }): { charge: bigint; owed: bigint } {
  assert(fee >= 0n, 'a fee is not negative')
  if (account.floor === null) return { charge: fee, owed: 0n }
  const room = account.posted - account.held - account.floor
  const charge = room <= 0n ? 0n : room < fee ? room : fee
  return { charge, owed: fee - charge }
}

/** A monthly fee for a cycle the account held for `daysHeld` of `daysInCycle` days, rounded half-up to the cent. */
export function proRated(amount: bigint, daysHeld: number, daysInCycle: number): bigint {
  assert(Number.isInteger(daysHeld) && daysHeld >= 0 && daysHeld <= daysInCycle && daysInCycle > 0, 'days held within the cycle')
  if (daysHeld === daysInCycle) return amount
  return divRoundHalfUp(amount * BigInt(daysHeld), BigInt(daysInCycle))
}

/** A monthly maintenance fee is waived when the balance never fell below the threshold during the cycle. */
export const waivedByMinimumBalance = (lowestBalance: bigint, threshold: bigint | undefined): boolean =>
  threshold !== undefined && lowestBalance >= threshold
