/** The help texts of `sightline erase` and `sightline export-person`. */
import { MAX_MATCHES } from './match.ts';

const WHO = `  --project NAME       The project (required).
  --user-id ID         The person's user id, as your site or app sends it.
  --visitor-id N       Or a visitor id (the cookieless visitor hash the dashboard shows), for a person who
                       never logged in. Exactly one of --user-id and --visitor-id.`;

const SERVER = `  --url URL            A running Sightline to ask (its api role holds the store), e.g. http://127.0.0.1:8080.
                       With the embedded store this defaults to the local server (SIGHTLINE_PORT); when none
                       answers, the store is opened directly.
  --token TOKEN        Admin token for --url (default: SIGHTLINE_ADMIN_TOKEN, else <data dir>/admin-token).
  -h, --help           This text.`;

export const ERASE_HELP = `Usage: sightline erase --project NAME (--user-id ID | --visitor-id N | --match KEY=VALUE) --yes [options]

Answers a "delete everything you hold on me" request (GDPR art. 17, CCPA): removes the person's rows from
events, sessions, user_profiles, dead_letters, forward_dead_letters, and the logs and db_changes rows that hold
the id in a field named by SIGHTLINE_PRIVACY_LOG_FIELDS / SIGHTLINE_PRIVACY_DB_COLUMNS, and rebuilds the sessions, profiles and
hourly/daily rollups they were part of from the events that remain, so everyone else's numbers stay exact.
A user's rows include the anonymous events of the visits they logged in during.

It cannot be undone: if the person also asked for a copy, run "sightline export-person" first. The request is
journalled before anything is deleted; if the server stops half-way, it finishes the erasure when it starts again.
Every erasure is recorded in the audit (GET /api/v1/privacy/requests) with who asked, when and the row counts —
with a SHA-256 of the id, never the id itself.

With the raw archive on (SIGHTLINE_ARCHIVE_DIR), its files are rewritten without the person's records. The raw
bodies in the write-ahead log leave the disk within SIGHTLINE_WAL_MAX_SEGMENT_AGE_SECONDS × 1.5 once processed;
on Kafka, topics keep them for SIGHTLINE_KAFKA_RETENTION_HOURS (see docs/privacy.md).

Options:
${WHO}
  --match KEY=VALUE    Or the people whose profile traits or event properties hold VALUE under KEY, e.g.
                       'email=alice@example.com': they are listed, and with --yes each is erased by user id.
                       At most ${MAX_MATCHES} people.
  --suppress-days N    Also refuse the person's new events for N days (1 to 3650; user ids only): the processor
                       drops them unstored and counts them (sightline_process_suppressed_events_total). Only a
                       SHA-256 of the id is kept, in privacy_suppressions.
  --yes                Confirm: without it nothing is erased.
${SERVER}

Examples:
  sightline export-person --project shop --user-id alice@example.com --out alice.json
  sightline erase --project shop --user-id alice@example.com --yes
  sightline erase --project shop --user-id alice@example.com --suppress-days 30 --yes
  sightline erase --project shop --match 'email=alice@example.com'         (lists who it names)
  sightline erase --project shop --match 'email=alice@example.com' --yes

Exit status: 0 when erased, 1 when the store or server failed (a started erasure completes at the next start),
2 for a usage error.
`;

export const EXPORT_PERSON_HELP = `Usage: sightline export-person --project NAME (--user-id ID | --visitor-id N) [--out FILE] [options]

Answers a "send me a copy of my data" request (GDPR art. 15/20, CCPA): one JSON document with every row the store
holds for the person — events, sessions, user_profiles, dead_letters, forward_dead_letters, logs, db_changes
(by the fields SIGHTLINE_PRIVACY_LOG_FIELDS / SIGHTLINE_PRIVACY_DB_COLUMNS name) — the same rows
"sightline erase" would remove. The export is recorded in the audit (who, when, row counts).

Options:
${WHO}
  --out FILE           Write the JSON there (mode 0600) instead of to standard output.
${SERVER}

Example:
  sightline export-person --project shop --user-id alice@example.com --out alice.json
`;
