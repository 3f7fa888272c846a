/** A promise a test resolves when it chooses: to hold a transaction or a batch open until told. */
export function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void
  const promise = new Promise<void>((resolve) => { fire = resolve })
  return { promise, fire }
}
