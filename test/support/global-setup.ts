import { ensureBuilt } from './dev-build';

// Compile the CLI once before the test files run in parallel.
export default function setup(): void {
  ensureBuilt();
}
