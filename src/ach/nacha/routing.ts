// ABA routing numbers: eight digits identifying the bank, then a check digit so that
// 3·d1 + 7·d2 + d3 + 3·d4 + 7·d5 + d6 + 3·d7 + 7·d8 + d9 is a multiple of 10.

const weights = [3, 7, 1, 3, 7, 1, 3, 7] as const

function isDigits(value: string, length: number): boolean {
  if (value.length !== length) return false
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** The check digit for the first eight digits of a routing number; undefined when not 8 digits. */
export function routingCheckDigit(first8: string): number | undefined {
  if (!isDigits(first8, 8)) return undefined
  let sum = 0
  for (let i = 0; i < 8; i++) sum += (first8.charCodeAt(i) - 48) * weights[i]!
  return (10 - (sum % 10)) % 10
}

/** Whether a string is nine digits whose last is the check digit of the first eight. */
export function isValidRouting(nine: string): boolean {
  if (!isDigits(nine, 9)) return false
  return routingCheckDigit(nine.slice(0, 8)) === nine.charCodeAt(8) - 48
}
