// Card numbers and the secrets issued with them: PANs from a product's BIN with a Luhn check
// digit, CVVs, activation codes and expiry. Every random digit comes from node:crypto.

import { randomInt } from 'node:crypto'
import { assert } from '../platform/assert.js'

export const panLength = 16
export const cvvLength = 3
/** The activation code printed as the card carrier's barcode (the spec's barcode: 20 digits). */
export const activationCodeLength = 20
/** How long a card is valid: it expires at the end of the month this many years after issue. */
export const cardValidityYears = 3

const randomDigits = (n: number): string => Array.from({ length: n }, () => randomInt(0, 10)).join('')

/** The digit that makes `partial` + digit pass the Luhn check. */
export function luhnCheckDigit(partial: string): string {
  assert(/^[0-9]+$/.test(partial), 'Luhn input is digits')
  let sum = 0
  // Doubling starts at the rightmost digit of the partial number (the one left of the check digit).
  for (let i = 0; i < partial.length; i++) {
    let d = partial.charCodeAt(partial.length - 1 - i) - 48
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9 }
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

export function isLuhnValid(number: string): boolean {
  return /^[0-9]{2,19}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === number.slice(-1)
}

/** A random PAN under `bin`: the BIN, random account digits, and the Luhn check digit. */
export function newPan(bin: string): string {
  assert(/^[0-9]{6,8}$/.test(bin), 'a BIN is 6 to 8 digits')
  const partial = bin + randomDigits(panLength - bin.length - 1)
  const pan = partial + luhnCheckDigit(partial)
  assert(pan.length === panLength && isLuhnValid(pan), 'a new PAN is Luhn-valid and full length')
  return pan
}

export const newCvv = (): string => randomDigits(cvvLength)
export const newActivationCode = (): string => randomDigits(activationCodeLength)

/** The last instant of the month `cardValidityYears` after `issuedAt` (UTC). */
export function expirationOf(issuedAt: Date): Date {
  const firstOfNextMonth = Date.UTC(issuedAt.getUTCFullYear() + cardValidityYears, issuedAt.getUTCMonth() + 1, 1)
  return new Date(firstOfNextMonth - 1)
}

/** PAN grouped for display: "4000 1234 5678 9010". */
export const groupedPan = (pan: string): string => pan.replace(/(\d{4})(?=\d)/g, '$1 ')
