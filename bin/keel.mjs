#!/usr/bin/env -S node --max-semi-space-size=64
// The keel command runs the TypeScript sources directly through tsx: no build step after install.
// --max-semi-space-size=64 (MiB; V8's default is 16): a server answering thousands of requests a
// second allocates fast, and a young generation that small is collected so often that, in
// `npm run bench:transfers`, collection cost a fifth of the server's CPU. package.json's scripts
// and the tests' keel processes start node with the same flag.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
