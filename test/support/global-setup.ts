import { SchemaValidator } from '../../src/synth/strict-schemas';
import { ensureBuilt } from './dev-build';

// Before the test files run in parallel: compile the CLI once, and generate the strict validators once
// (a fresh checkout has no cache yet; otherwise every worker would compile them at the same time).
export default function setup(): void {
  ensureBuilt();
  new SchemaValidator().prepare();
}
