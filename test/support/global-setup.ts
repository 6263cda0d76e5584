import { SchemaValidator } from '../../src/synth/strict-schemas';
import { ensureBuilt } from './dev-build';

// Before the test files run in parallel: compile the CLI once, and generate the strict validators once
// (as validate runs them, and with formats as the tests run them: a fresh checkout has no cache yet, and
// every worker would otherwise compile them at the same time).
export default function setup(): void {
  ensureBuilt();
  new SchemaValidator().prepare();
  new SchemaValidator(undefined, { checkFormats: true }).prepare();
}
