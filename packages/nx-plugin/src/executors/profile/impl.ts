import * as fs from 'fs';
import * as path from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { boardRunReports, boardRunText } from '@tinyforge/cli';
import { projectFromContext, replaceDir } from '../../project-context';
import { ExecutorResult, runExecutor } from '../../run-executor';
import { runProject } from '../run/impl';
import type { ProfileExecutorSchema } from './schema';

export default async function profileExecutor(options: ProfileExecutorSchema, context: ExecutorContext): Promise<ExecutorResult> {
  return runExecutor(context, async () => {
    const project = projectFromContext(context);
    const r = await runProject(project, { ...options, profile: true }, (line) => console.log(line));
    for (const line of boardRunText(r)) console.log(line);
    const { json, html, trace } = boardRunReports(r, `${project.name} on ${r.board}`);
    const outDir = project.outDir('profile');
    replaceDir(outDir, (staging) => {
      fs.writeFileSync(path.join(staging, 'profile.json'), json);
      fs.writeFileSync(path.join(staging, 'profile.html'), html);
      fs.writeFileSync(path.join(staging, 'trace.json'), trace);
    });
    console.log(`wrote profile.json, profile.html and trace.json to ${path.relative(context.root, outDir)}`);
  });
}
