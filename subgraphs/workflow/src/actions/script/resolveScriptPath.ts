import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ScriptInputError } from './scriptErrors';

/** A script found inside a configured folder. */
export interface ResolvedScript {
  /** Real path (symlinks resolved): the file that is executed. */
  path: string;
  /** Real path of the configured folder that holds it (the script's working directory). */
  folder: string;
}

/** Whether `child` is strictly inside `parent` (both absolute and normalised). */
export function isInsideFolder(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

const realpathOrNull = (path: string) => realpath(path).catch(() => null);

/**
 * Finds `script` in `folders` and returns its real path. Relative names are looked up in each
 * folder in order; an absolute path must lie in one. A `..` segment, an absolute path elsewhere
 * or a symlink whose target leaves the folder are `FORBIDDEN`; an empty or missing name is
 * `BAD_USER_INPUT`. The real path is returned so the file checked is the file executed.
 */
export async function resolveScriptPath(
  script: string,
  folders: readonly string[],
): Promise<ResolvedScript> {
  if (!script.trim() || script.includes('\0'))
    throw new ScriptInputError('BAD_USER_INPUT', script, 'expected a script file name');
  if (script.split(/[\\/]/).includes('..'))
    throw new ScriptInputError(
      'FORBIDDEN',
      script,
      `"${script}": ".." is not allowed in script paths`,
    );
  const roots = await Promise.all(
    folders.map(async (folder) => ({
      configured: resolve(folder),
      real: await realpathOrNull(folder),
    })),
  );
  // An absolute path may name a folder as configured or by its real path.
  const candidates = isAbsolute(script)
    ? roots
        .filter((root) =>
          [root.configured, root.real].some((dir) => dir && isInsideFolder(resolve(script), dir)),
        )
        .map((root) => ({ path: resolve(script), folder: root.real }))
    : roots.map((root) => ({ path: root.real && resolve(root.real, script), folder: root.real }));
  if (isAbsolute(script) && candidates.length === 0)
    throw new ScriptInputError('FORBIDDEN', script, `"${script}" is outside the script folders`);
  for (const candidate of candidates) {
    if (!candidate.path || !candidate.folder) continue;
    const real = await realpathOrNull(candidate.path);
    if (!real) continue;
    if (!isInsideFolder(real, candidate.folder))
      throw new ScriptInputError(
        'FORBIDDEN',
        script,
        `"${script}" resolves outside the script folders`,
      );
    if (!(await stat(real)).isFile())
      throw new ScriptInputError('BAD_USER_INPUT', script, `"${script}" is not a file`);
    return { path: real, folder: candidate.folder };
  }
  throw new ScriptInputError(
    'BAD_USER_INPUT',
    script,
    `no script "${script}" in the script folders`,
  );
}
