// The sequence numbers a batcher has reserved for the ledger's records and not yet used
// (LedgerBatcher: batches decided from memory reserve the next batch's numbers with their writes).

/** Numbers taken before the array is made again without them. */
const keptMin = 256

/**
 * Sequence numbers reserved and not yet used, taken oldest first. Taken with a moving head, not
 * spliced off the front: a splice moved every number left (a few hundred) on each batch decided from
 * memory, each move a write barrier for a young BigInt in an old array (1.5% of the server's main
 * thread at 1,000 card authorizations/s).
 */
export class SpareSeqs {
  private seqs: bigint[] = []
  private head = 0
  get length(): number { return this.seqs.length - this.head }
  add(more: bigint[]): void { for (const s of more) this.seqs.push(s) }
  take(count: number): bigint[] {
    const taken = this.seqs.slice(this.head, this.head + count)
    this.head += taken.length
    // The numbers taken are let go once they are most of the array.
    if (this.head >= keptMin && this.head * 2 >= this.seqs.length) { this.seqs = this.seqs.slice(this.head); this.head = 0 }
    return taken
  }
}
