// A consumer in its own process, so a test can SIGKILL it mid-batch: it logs each batch it receives (one JSON line)
// and, on batch number `hangOn`, stops answering — the batch is in flight, never committed.
import fs from 'node:fs';
import { KafkaEventLog } from '../../src/log/kafka/kafka.log.ts';
import { createLogger } from '../../src/observe/logger.ts';

const [bootstrap, topic, group, out, hangOn] = process.argv.slice(2);
const log = await KafkaEventLog.open({
  bootstrap: [bootstrap],
  clientId: 'child',
  topics: [topic],
  partitions: 1,
  replicas: 1,
  retentionMs: 86_400_000,
  logger: createLogger('silent'),
});
let n = 0;
log.subscribe(topic, group, { maxRecords: 50, maxWaitMs: 50 }, async (batch) => {
  n++;
  fs.appendFileSync(
    out,
    `${JSON.stringify({ partition: batch.partition, first: batch.first, last: batch.last, redelivery: batch.redelivery })}\n`,
  );
  if (n === Number(hangOn)) await new Promise(() => undefined);
});
