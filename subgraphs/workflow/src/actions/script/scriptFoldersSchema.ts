import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../../../../../lib/graphql';
import { DEFAULT_SCRIPT_FOLDER } from './createScriptAction';

const isDirectory = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * `WORKFLOW_SCRIPT_FOLDERS`: comma-separated folders (relative ones from the repository root), each an
 * existing directory; unset means the repository's `workers/scripts`.
 */
export const scriptFoldersSchema = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((folder) => folder.trim())
      .filter(Boolean)
      .map((folder) => (isAbsolute(folder) ? folder : resolve(REPO_ROOT, folder))),
  )
  .refine((folders) => folders.length > 0, { message: 'expected at least one folder' })
  .superRefine((folders, ctx) => {
    for (const folder of folders)
      if (!isDirectory(folder))
        ctx.addIssue({
          code: 'custom',
          message: `expected an existing directory, but got: ${folder}`,
        });
  })
  .default([DEFAULT_SCRIPT_FOLDER]);
