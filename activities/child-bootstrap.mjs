// Entry of an activity's child process (activities/isolate.ts): load TypeScript through tsx, as
// bin/rexsweep.mjs does, then run the entry module named by the parent.
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const entry = process.argv[2];
if (!entry) {
  process.stderr.write('child-bootstrap: no entry module given\n');
  process.exit(2);
}
await import(pathToFileURL(entry).href);
