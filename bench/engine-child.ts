// Child process for bench/client-ingest.ts: runs the embedded engine in 'nodelay' mode and answers
// counter requests over IPC, so the client under test gets its own core.
import { startEngine } from '../src/engine/index.js';

const maxTokens = Number(process.argv[2] ?? '1000');
const engine = await startEngine({ timing: 'nodelay', defaultOutputTokens: maxTokens });
process.send?.({ baseUrl: engine.baseUrl, modelId: engine.modelId });
process.on('message', (message) => {
  if (message === 'counters') process.send?.({ eventsWritten: engine.counters().eventsWritten });
  if (message === 'close') {
    void engine.close().then(() => process.exit(0));
  }
});
