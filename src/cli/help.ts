import { configSchema } from '../config/config-schema.ts';

export const HELP = `Sightline — self-hosted analytics: events, logs and database changes into ClickHouse.

Usage: sightline <command> [options]

Commands:
  serve      Run everything in one process: collector, write-ahead log, processor,
             embedded ClickHouse (chDB), the read API and the dashboard, on one port (default 8080).

  Split roles (scale-out; need SIGHTLINE_LOG=kafka://host:9092, see docs/scale-out.md):
  collect    The HTTP collector only: requests → Kafka, 202 once Kafka has them.
  process    Kafka → enrichment → store (SIGHTLINE_STORE), as one member of the processor group.
  api        Read API, dashboard and (SIGHTLINE_CLICKHOUSE_HTTP) the ClickHouse-compatible endpoint.
             Every role answers /health, /ready and /metrics on SIGHTLINE_PORT.

  migrate    Apply the store's numbered SQL migrations and exit (serve does this at start too).
  seed       Fill a project with realistic demo traffic (visits, funnels, logs, db changes),
             written straight into the store: sightline seed --project demo --days 365 --seed 42.
             "sightline seed --help" lists the options.
  backup     Copy the embedded store into a folder (consistent, while it runs): sightline backup /backups/2026-11-24
  restore    Replace the store with a backup and verify it: sightline restore /backups/2026-11-24 --yes
  replay     Process the raw archive (SIGHTLINE_ARCHIVE_DIR) again into the store:
             sightline replay --from /archive --since 2026-11-01
  export     Write a table's rows in a time range to CSV, NDJSON or Parquet:
             sightline export --project website --from 2026-01-01 --to 2026-01-31 --format parquet.
  report     Send a project's weekly or monthly report e-mail now (through the running server):
             sightline report --project website --period week --to team@example.com
  cdc        Capture MySQL/MariaDB changes from the binlog and send them, as Maxwell's JSON, to a Sightline:
             sightline cdc --mysql mysql://cdc@db:3306 --url https://sightline.example.com --project shop.
             "sightline cdc --help" lists the options; docs/cdc.md sets up the database.
  forward    Dead letters of forwarding (SIGHTLINE_FORWARD: webhooks, Mixpanel, Segment):
             sightline forward list, sightline forward retry --destination crm --since 1d.
             "sightline forward --help" explains; docs/forwarding.md sets up destinations and rules.
  export-person  Every row the store holds for one person, as one JSON (a GDPR/CCPA access request):
             sightline export-person --project shop --user-id alice@example.com --out alice.json
  erase      Remove one person's rows everywhere in the store, rebuilding the counts they were part of
             (a GDPR/CCPA erasure request): sightline erase --project shop --user-id alice@example.com --yes.
             "sightline erase --help" says what is and is not covered; docs/privacy.md explains.
  help       This text. "sightline help config" lists every setting.

Options:
  -h, --help     Show help.
  -v, --version  Print the version.

Configuration comes from SIGHTLINE_* environment variables and an optional file
(SIGHTLINE_CONFIG=sightline.yaml); a bad value stops start-up with the fix.

Quick start:
  npm ci && npm start
  curl -X POST http://localhost:8080/e -H 'X-App: app' -H 'Content-Type: application/json' \\
    -d '{"type":"click","user_id":"1","path":"/getting-started"}'
  curl -H "Authorization: Bearer $(cat data/admin-token)" \\
    'http://localhost:8080/api/v1/stats/overview?project=app&from=2024-04-01&to=2030-01-01'
`;

export function configHelp(): string {
  const lines = ['Settings (environment variable, default, meaning):', ''];
  for (const spec of Object.values(configSchema)) {
    lines.push(
      `  ${spec.env}${spec.default !== undefined && spec.default !== '' ? ` (default: ${spec.default})` : ''}`,
    );
    lines.push(`      ${spec.description}`);
  }
  return `${lines.join('\n')}\n`;
}
