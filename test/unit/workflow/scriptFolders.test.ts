import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/config';
import { REPO_ROOT } from '../../../lib/graphql';
import { workflowOptionsFromEnv } from '../../../subgraphs/workflow/src/config';

describe('WORKFLOW_SCRIPT_FOLDERS', () => {
  it("should default to the repository's workers/scripts", () => {
    expect(workflowOptionsFromEnv({}).scriptFolders).toEqual([
      join(REPO_ROOT, 'workers', 'scripts'),
    ]);
  });

  it('should resolve a comma-separated list, relative entries from the repository root', () => {
    const options = workflowOptionsFromEnv({
      WORKFLOW_SCRIPT_FOLDERS: ` workers/scripts , ${tmpdir()} `,
    });
    expect(options.scriptFolders).toEqual([join(REPO_ROOT, 'workers/scripts'), tmpdir()]);
  });

  it('should refuse folders that do not exist, naming them', () => {
    expect(() => workflowOptionsFromEnv({ WORKFLOW_SCRIPT_FOLDERS: '/no/such/folder' })).toThrow(
      ConfigError,
    );
    expect(() => workflowOptionsFromEnv({ WORKFLOW_SCRIPT_FOLDERS: '/no/such/folder' })).toThrow(
      /WORKFLOW_SCRIPT_FOLDERS.*expected an existing directory, but got: \/no\/such\/folder/s,
    );
    expect(() => workflowOptionsFromEnv({ WORKFLOW_SCRIPT_FOLDERS: ' , ' })).toThrow(
      /at least one folder/,
    );
  });
});
