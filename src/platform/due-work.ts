import type { Services } from './http.js'

/**
 * Work that falls due at a time on a workspace's clock (hold expiry; later ACH windows, interest,
 * statements). Real time drives it through each domain's worker; a sandbox clock advance
 * (src/sandbox/) drives it through this, in time order, before the advance answers.
 */
export interface DueWork {
  name: string
  /** When this work next falls due in the workspace, if at or before `until`. */
  nextDue(services: Services, workspaceId: string, until: Date): Promise<Date | undefined>
  /** Does what is due in the workspace at its clock's time now. */
  run(services: Services, workspaceId: string): Promise<void>
}
