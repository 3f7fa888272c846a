// Screening a party: its names (a person's full name; a business's legal and trade names) against
// the current list, narrowed by DOB, country and entity type, and the WATCHLIST result that follows.
import type { Detail, VerificationResult } from '../provider.js'
import type { LoadedList } from './current.js'
import { matchThreshold, rejectThreshold, type PartyKind, type ScreeningMatch } from './watchlist-index.js'

export interface ScreenedParty {
  kind: PartyKind
  names: string[]
  /** YYYY-MM-DD. */
  dob?: string
  /** ISO alpha-2. */
  countryCode?: string
}

/** Detail lines list at most this many matches (the strongest). */
export const reportedMatchesMax = 5

/** Matches at or above the threshold, best per listed entry, strongest first. */
export function screenParty(list: LoadedList, party: ScreenedParty): ScreeningMatch[] {
  const best = new Map<number, ScreeningMatch>()
  for (const name of party.names) {
    for (const m of list.index.search({ name, kind: party.kind, dob: party.dob, countryCode: party.countryCode })) {
      const prior = best.get(m.entry.id)
      if (!prior || m.score > prior.score) best.set(m.entry.id, m)
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.entry.id - b.entry.id)
}

/** The score bands: below matchThreshold ACCEPTED, up to rejectThreshold REVIEW, above REJECTED. */
export function watchlistResultOf(matches: readonly ScreeningMatch[]): VerificationResult {
  const top = matches[0]?.score ?? 0
  if (top >= rejectThreshold) return 'REJECTED'
  if (top >= matchThreshold) return 'REVIEW'
  return 'ACCEPTED'
}

export const roundScore = (score: number) => Math.round(score * 10000) / 10000

export function matchDescription(m: ScreeningMatch): string {
  const programs = m.entry.programs.length ? ` [${m.entry.programs.join(', ')}]` : ''
  const alias = m.matchedName !== m.entry.name ? ` as "${m.matchedName}"` : ''
  return `possible match: ${m.entry.name}${alias}, OFAC SDN entry ${m.entry.id} (${m.entry.type})${programs}`
}

export function watchlistDetails(list: LoadedList, matches: readonly ScreeningMatch[]): Detail[] {
  if (matches.length === 0) {
    return [{ category: 'WATCHLIST', result: 'PASS', label: 'OFAC SDN', description: `no match at or above ${matchThreshold} on the OFAC SDN list (version ${list.version})`, vendor_code: 'US_OFAC' }]
  }
  return matches.slice(0, reportedMatchesMax).map((m) => ({
    category: 'WATCHLIST' as const,
    result: m.score >= rejectThreshold ? ('FAIL' as const) : ('WARN' as const),
    label: 'OFAC SDN',
    description: matchDescription(m),
    score: roundScore(m.score),
    vendor_code: `US_OFAC:${m.entry.id}`,
  }))
}

/** What a screening keeps as vendor_info.json: the list and the matches, enough to review a hit. */
export function screeningRecord(list: LoadedList, matches: readonly ScreeningMatch[]): Record<string, unknown> {
  return {
    list: { source: list.source, version: list.version, date: list.date },
    threshold: matchThreshold,
    matches: matches.slice(0, reportedMatchesMax).map((m) => ({ entry_id: m.entry.id, name: m.entry.name, matched_name: m.matchedName, type: m.entry.type, programs: m.entry.programs, score: roundScore(m.score), name_score: roundScore(m.nameScore) })),
  }
}
