/** The log a role runs on, chosen by `SIGHTLINE_LOG`: the embedded WAL or Apache Kafka. */

import path from 'node:path';
import type { SharedConfig } from '../config/shared.settings.ts';
import { DEAD_LETTERS_TOPIC, TOPICS } from '../contract/topics.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { EventLog, LogCapabilities } from './event-log.ts';
import { KafkaEventLog, parseKafkaUrl } from './kafka/kafka.log.ts';
import type { LogConfig } from './log.settings.ts';
import { WalEventLog } from './wal/wal.log.ts';

/** The capabilities of the log `SIGHTLINE_LOG` chooses, known before it is opened (`log.capabilities` after). */
export function logCapabilities(config: Pick<LogConfig, 'log'>): LogCapabilities {
  return config.log === 'wal' ? WalEventLog.CAPABILITIES : KafkaEventLog.CAPABILITIES;
}

export async function openEventLog(
  config: LogConfig & SharedConfig,
  logger: Logger,
  metrics: Metrics,
  role: string,
): Promise<EventLog> {
  if (config.log === 'wal')
    return WalEventLog.open({
      dir: path.join(config.dataDir, 'wal'),
      segmentBytes: config.walSegmentBytes,
      maxSegmentAgeMs: config.walMaxSegmentAgeSeconds * 1000,
      logger: logger.child({ stage: 'log' }),
      onFsync: (seconds, records) => {
        metrics.walFsyncSeconds.observe(seconds);
        metrics.walGroupRecords.observe(records);
      },
    });
  return KafkaEventLog.open({
    bootstrap: parseKafkaUrl(config.log),
    clientId: `sightline-${role}`,
    topics: [...TOPICS, DEAD_LETTERS_TOPIC, config.kafkaLogsTopic, config.kafkaMaxwellTopic].filter(Boolean),
    names: config.kafkaTopics,
    partitions: config.kafkaPartitions,
    replicas: config.kafkaReplicas,
    retentionMs: config.kafkaRetentionHours * 3_600_000,
    logger: logger.child({ stage: 'log' }),
    compression: config.kafkaCompression,
  });
}
