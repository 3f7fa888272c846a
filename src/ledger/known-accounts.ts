// What a process knows of the accounts its batches touch: each account as this process last read
// it or committed a change to it. A batch whose accounts are all known is decided from this, with
// no round trip to read them first (batcher.ts, "Batches decided from memory"). Nothing here is
// trusted: the batch's writes lock each account only if it is still as known, and a batch that
// finds one changed (another process, another path of this one) forgets its accounts and runs again
// the ordinary way, reading. Those accounts are then not known again for a while (cooling): where
// another process keeps changing an account (two servers debiting one funding account), every batch
// decided from memory on it would fail and cost a round trip, so batches on it read instead, as they
// did before, and try memory again once the while is over.

import { keyOf, type Key } from './keys.js'
import type { LockedAccount } from './store.js'

/** How many accounts a process keeps (about 300 bytes each): the least recently changed go first. */
export const knownAccountsMaxDefault = 100_000
/** How long, in real time, accounts a batch decided from memory found not as known stay unknown. */
export const knownAccountsCoolMsDefault = 1000

export class KnownAccounts {
  private readonly accounts = new Map<string, LockedAccount>()
  /** Accounts not to be known again before a time (Date.now() milliseconds). */
  private readonly cooling = new Map<string, number>()

  constructor(private readonly max: number, private readonly coolMs: number) {}

  /** Whether batches may be decided from memory at all (a limit of 0 turns it off). */
  get enabled(): boolean {
    return this.max > 0
  }

  /**
   * These accounts as known, or undefined unless every one of them is: copies, which a batch decides
   * on while a commit changes what is kept here.
   */
  all(keys: readonly Key[]): Map<string, LockedAccount> | undefined {
    const found = new Map<string, LockedAccount>()
    for (const k of keys) {
      const key = keyOf(k.workspaceId, k.id)
      const a = this.accounts.get(key)
      if (a === undefined) return undefined
      found.set(key, { ...a })
    }
    return found
  }

  /** Whether the account, as known, has spend controls (LockedAccount.spend_controlled); false when it is not known. */
  spendControlled(workspaceId: string, id: string): boolean {
    return this.accounts.get(keyOf(workspaceId, id))?.spend_controlled === true
  }

  /** Accounts as read: kept where nothing is known of them yet (what this process committed since is newer). */
  learn(read: ReadonlyMap<string, LockedAccount>): void {
    for (const [key, a] of read) if (!this.accounts.has(key) && !this.cools(key)) this.put(key, { ...a })
  }

  /**
   * An account as a committed batch left it. An account already known keeps its record, its fields
   * set to the new ones: an object kept in place of it at every commit would live until the
   * account's next commit, often past two of the young generation's collections, and be copied into
   * the old generation (an account a second apart at 10,000 accounts, the transfer peak's), where
   * only a full collection frees it. In place, only the new balances' values are kept anew.
   */
  committed(a: LockedAccount): void {
    const key = keyOf(a.workspace_id, a.id)
    const known = this.accounts.get(key)
    this.accounts.delete(key)
    if (this.cools(key)) return
    this.put(key, known === undefined ? { ...a } : Object.assign(known, a))
  }

  /** Forgets these accounts, and knows them again only once they have cooled: what was known of them was not so. */
  forget(keys: readonly Key[]): void {
    const until = Date.now() + this.coolMs
    for (const k of keys) {
      const key = keyOf(k.workspaceId, k.id)
      this.accounts.delete(key)
      if (this.coolMs <= 0) continue
      this.cooling.delete(key)
      this.cooling.set(key, until)
      if (this.cooling.size > this.max) this.cooling.delete(this.cooling.keys().next().value!)
    }
  }

  /** Whether the account is still cooling (and forgets that it was, once it is not). */
  private cools(key: string): boolean {
    const until = this.cooling.get(key)
    if (until === undefined) return false
    if (Date.now() < until) return true
    this.cooling.delete(key)
    return false
  }

  private put(key: string, a: LockedAccount): void {
    this.accounts.set(key, a)
    // A Map iterates in insertion order: the first key is the one set longest ago.
    if (this.accounts.size > this.max) this.accounts.delete(this.accounts.keys().next().value!)
  }
}
