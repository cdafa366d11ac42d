/**
 * What the binlog does not say about a table, read from information_schema and cached: its primary key (for
 * `primary_key`), which columns hold JSON (MariaDB's JSON is a LONGTEXT with a json_valid() check — only the check
 * tells them apart), and every column's type (the snapshot of a bootstrap has no binlog metadata at all).
 *
 * The cache is dropped whenever a schema statement passes in the binlog, so the next row of any table reads the
 * definition afresh.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { ColumnInfo } from './maxwell-format.ts';

export interface TableSchema {
  /** Columns in table order. */
  columns: Map<string, ColumnInfo>;
  primaryKey: string[];
  /** Absent from information_schema (dropped or renamed since the change was written). */
  missing: boolean;
}

const JSON_CHECK = /json_valid\(`([^`]+)`\)/gi;

export class SchemaCache {
  readonly #pool: Pool;
  readonly #tables = new Map<string, Promise<TableSchema>>();
  #mariadb: Promise<boolean> | undefined;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  get(database: string, table: string): Promise<TableSchema> {
    const key = `${database}\0${table}`;
    let schema = this.#tables.get(key);
    if (!schema) {
      schema = this.#load(database, table);
      // A failed lookup (connection lost) must not stick: the next row asks again.
      schema.catch(() => this.#tables.delete(key));
      this.#tables.set(key, schema);
    }
    return schema;
  }

  invalidate(): void {
    this.#tables.clear();
  }

  #isMariaDb(): Promise<boolean> {
    this.#mariadb ??= this.#pool
      .query<RowDataPacket[]>('SELECT VERSION() AS v')
      .then(([rows]) => /mariadb/i.test(String(rows[0].v)))
      .catch((err) => {
        this.#mariadb = undefined;
        throw err;
      });
    return this.#mariadb;
  }

  async #load(database: string, table: string): Promise<TableSchema> {
    const [columnRows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, DATA_TYPE AS dataType
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [database, table],
    );
    const [keyRows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
      [database, table],
    );
    const jsonColumns = new Set<string>();
    // MySQL's CHECK_CONSTRAINTS has no TABLE_NAME column (and MySQL's JSON is a type of its own anyway).
    if (await this.#isMariaDb()) {
      const [checks] = await this.#pool.query<RowDataPacket[]>(
        `SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`,
        [database, table],
      );
      for (const row of checks)
        for (const m of String(row.clause).matchAll(JSON_CHECK)) jsonColumns.add(m[1]);
    }
    const columns = new Map<string, ColumnInfo>();
    for (const row of columnRows) {
      const name = String(row.name);
      columns.set(name, {
        type: String(row.type).toLowerCase(),
        json: String(row.dataType).toLowerCase() === 'json' || jsonColumns.has(name),
      });
    }
    return {
      columns,
      primaryKey: keyRows.map((r) => String(r.name)),
      missing: columnRows.length === 0,
    };
  }
}
