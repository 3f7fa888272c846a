// A card's facts as this process last read them (the card, its account's status, the controls the
// account names, the product's gateway: factsRows), so that a new message on a card seen before is
// decided with no read ahead of its batch. Nothing kept is trusted: the message's batch checks,
// with its writes, that every row those facts came from is still the version read (FactsRow's
// facts_version; expectFactsUnchanged, changedFacts), and a message whose card's facts have changed
// is not applied but decided again on facts read afresh (service.ts, newMessage). A change made
// between that check and the batch's commit is missed, as one made between a read ahead of the
// batch and its commit always was.

import type { FactsRow } from './store.js'

/** How many cards' facts a process keeps (a few hundred bytes each): the least recently read go first. */
export const factsKeptMaxDefault = 100_000

export class FactsCache {
  private readonly rows = new Map<string, FactsRow>()

  constructor(private readonly max = factsKeptMaxDefault) {}

  /** The facts kept for this card, if any. */
  get(key: string): FactsRow | undefined {
    return this.rows.get(key)
  }

  /** Keeps facts just read for this card, in place of any kept before. */
  keep(key: string, row: FactsRow): void {
    this.rows.delete(key)
    this.rows.set(key, row)
    if (this.rows.size > this.max) this.rows.delete(this.rows.keys().next().value!)
  }

  /** Forgets this card's facts: they were found changed. */
  forget(key: string): void {
    this.rows.delete(key)
  }
}
