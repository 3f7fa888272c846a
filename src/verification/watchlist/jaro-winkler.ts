// Jaro-Winkler similarity and the token-pair scorer built on it, after moov-io/watchman's
// "best pairs" Jaro-Winkler (Apache-2.0): plain Jaro-Winkler is too kind to tokens of very
// different lengths and to tokens that start differently, so both are penalised further.

/** Winkler's prefix bonus applies only above this Jaro similarity (Winkler's own value). */
export const winklerBoostThreshold = 0.7
/** Longest common prefix that earns the Winkler bonus. */
export const winklerPrefixMax = 4
export const winklerPrefixScale = 0.1
/** Below this length ratio, a pair of tokens is penalised by `lengthPenaltyWeight`. */
export const lengthRatioCutoff = 0.9
export const lengthPenaltyWeight = 0.3
/** A pair of tokens that starts with different letters keeps this share of its score. */
export const differentFirstLetterFactor = 0.9

// Scratch buffers reused across calls: scoring runs millions of times in a re-screen.
let flagsA = new Uint8Array(64)
let flagsB = new Uint8Array(64)

export function jaro(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1
  const la = a.length
  const lb = b.length
  if (la === 0 || lb === 0) return 0
  if (flagsA.length < la) flagsA = new Uint8Array(la * 2)
  if (flagsB.length < lb) flagsB = new Uint8Array(lb * 2)
  flagsA.fill(0, 0, la)
  flagsB.fill(0, 0, lb)
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1)
  let matches = 0
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window)
    const to = Math.min(lb - 1, i + window)
    const c = a.charCodeAt(i)
    for (let j = from; j <= to; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1
        flagsB[j] = 1
        matches++
        break
      }
    }
  }
  if (matches === 0) return 0
  let transpositions = 0
  let k = 0
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue
    while (flagsB[k] === 0) k++
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++
    k++
  }
  const m = matches
  return (m / la + m / lb + (m - transpositions / 2) / m) / 3
}

export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b)
  if (j <= winklerBoostThreshold) return j
  const max = Math.min(winklerPrefixMax, a.length, b.length)
  let prefix = 0
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++
  return j + prefix * winklerPrefixScale * (1 - j)
}

/** The similarity of two name tokens, 0–1: Jaro-Winkler with length and first-letter penalties. */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1
  let score = jaroWinkler(a, b)
  const ratio = Math.min(a.length, b.length) / Math.max(a.length, b.length)
  if (ratio < lengthRatioCutoff) score *= 1 - (1 - ratio) * lengthPenaltyWeight
  if (a.charCodeAt(0) !== b.charCodeAt(0)) score *= differentFirstLetterFactor
  return score
}

/** An unmatched listed token costs this share of its length (a missing middle name is weak evidence). */
export const unmatchedListedPenaltyWeight = 0.2

/**
 * Scores a query's tokens against a listed name's tokens, 0–1, independent of word order.
 * Pairs are chosen greedily by similarity, each token used once; the score is their similarity
 * averaged by token length, where a query token left without a partner counts as 0 (a word the
 * listed name lacks is strong evidence of another party), then scaled down a little for listed
 * tokens the query did not mention.
 * `similarity(i, j)` is the similarity of query token i and listed token j (callers cache it).
 */
export function bestPairsScore(query: readonly string[], listed: readonly string[], similarity: (i: number, j: number) => number): number {
  const nq = query.length
  const nl = listed.length
  if (nq === 0 || nl === 0) return 0
  const pairs: Array<[number, number, number]> = []
  for (let i = 0; i < nq; i++) for (let j = 0; j < nl; j++) pairs.push([similarity(i, j), i, j])
  pairs.sort((x, y) => y[0] - x[0])
  const usedQ = new Uint8Array(nq)
  const usedL = new Uint8Array(nl)
  let weighted = 0
  let weight = 0
  let pairedCount = 0
  const limit = Math.min(nq, nl)
  for (const [s, i, j] of pairs) {
    if (usedQ[i] || usedL[j]) continue
    usedQ[i] = 1
    usedL[j] = 1
    const w = query[i].length + listed[j].length
    weighted += s * w
    weight += w
    if (++pairedCount === limit) break
  }
  for (let i = 0; i < nq; i++) if (!usedQ[i]) weight += 2 * query[i].length
  let listedTotal = 0
  let listedMatched = 0
  for (let j = 0; j < nl; j++) {
    listedTotal += listed[j].length
    if (usedL[j]) listedMatched += listed[j].length
  }
  const matchedFraction = listedMatched / listedTotal
  return (weighted / weight) * (1 - (1 - matchedFraction) * unmatchedListedPenaltyWeight)
}
