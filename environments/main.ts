/**
 * `npm run synth [-- --env NAME ...]`: every environment (or the named ones) into `dist/<env>/`.
 * Honours CDK8S_OUTDIR, so `npx cdk8s synth` writes to the same place.
 */
import { resolve } from 'node:path';
import { compareStrings, ConfigurationError } from '../src';
import { synthesize } from './app/synth';

function parseArgs(argv: string[]): { only: string[]; outdir: string } {
  const only: string[] = [];
  let outdir = process.env.CDK8S_OUTDIR || 'dist';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === '--env' || arg === '-e') && argv[i + 1]) only.push(argv[++i]);
    else if (arg.startsWith('--env=')) only.push(arg.slice('--env='.length));
    else if (arg === '--outdir' && argv[i + 1]) outdir = argv[++i];
    else throw new ConfigurationError([`unknown argument ${JSON.stringify(arg)}: use --env NAME (repeatable) or --outdir DIR`]);
  }
  return { only, outdir };
}

function main(): number {
  const started = process.hrtime.bigint();
  let outdir = process.env.CDK8S_OUTDIR || 'dist';
  try {
    const args = parseArgs(process.argv.slice(2));
    outdir = args.outdir;
    const only = args.only;
    const results = synthesize({ root: process.cwd(), outdir: resolve(outdir), only });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    for (const r of results) {
      const kinds = Object.entries(r.kinds).sort(([a], [b]) => compareStrings(a, b)).map(([k, n]) => `${k} ${n}`).join(', ');
      console.log(`${outdir}/${r.name}: ${r.files.length} files, ${r.bytes} bytes, ${r.milliseconds.toFixed(0)} ms (${kinds})`);
    }
    console.log(`synthesized ${results.length} folder(s) in ${ms.toFixed(0)} ms`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigurationError) {
      console.error(`synth failed; ${outdir}/ was left as it was.`);
      for (const p of e.problems) console.error(`  ${p}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main();
