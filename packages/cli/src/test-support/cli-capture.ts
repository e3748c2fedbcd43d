import { runCli } from '../main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `tinyforge ARGV…` in-process, with what it prints on stdout and stderr (one line per write). */
export async function cliCapture(...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s.endsWith('\n') ? s : `${s}\n`), err: (s) => (err += s.endsWith('\n') ? s : `${s}\n`) });
  return { code, out, err };
}
