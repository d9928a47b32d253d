/**
 * Start-up checks that need the file system, run by the server and the build command before
 * anything else (`parseConfig` itself stays pure). A local GDAC root that does not exist would
 * otherwise be accepted silently and fail every build and query later, far from its cause.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Config } from './config.js';

function kindOf(path: string): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

function isLocal(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(location) || location.startsWith('file://');
}

function localPath(location: string): string {
  return location.startsWith('file://') ? fileURLToPath(location) : location;
}

/** Throws a ConfigError naming the variable when a local GDAC root or index store is unusable. */
export function checkLocalPaths(config: Pick<Config, 'gdac' | 'store'>): void {
  const problems: string[] = [];
  for (const root of config.gdac.roots) {
    if (!isLocal(root)) continue;
    const kind = kindOf(localPath(root));
    if (kind === 'missing') problems.push(`ARGO_GDAC: the local GDAC root ${JSON.stringify(root)} does not exist`);
    else if (kind === 'other') problems.push(`ARGO_GDAC: the local GDAC root ${JSON.stringify(root)} is not a directory`);
  }
  // A store directory that does not exist yet is created on first write: only a file in its way is wrong.
  if (isLocal(config.store.location) && kindOf(localPath(config.store.location)) === 'other') {
    problems.push(`ARGO_INDEX_STORE: ${JSON.stringify(config.store.location)} is a file, not a directory`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}
