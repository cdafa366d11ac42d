// A ClickHouse client as Grafana's ClickHouse data source is one: clickhouse-go v2 over HTTP (Native format,
// protocol revision in the URL), reading whatever columns a panel query returns. Run by
// test/store/clickhouse-go.int.test.ts against Sightline's ClickHouse-compatible endpoint:
//
//	go run . ADDR PASSWORD < queries.json
//
// Reads a JSON object {name: sql} on stdin and prints one JSON line per query: its columns (name, database type)
// and rows, or the error the driver reported.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

type column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type result struct {
	Name    string   `json:"name"`
	Columns []column `json:"columns,omitempty"`
	Rows    [][]any  `json:"rows,omitempty"`
	Error   string   `json:"error,omitempty"`
}

func main() {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{os.Args[1]},
		Protocol:    clickhouse.HTTP,
		Auth:        clickhouse.Auth{Database: "default", Username: "sightline", Password: os.Args[2]},
		DialTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	if err := conn.Ping(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ping:", err)
		os.Exit(2)
	}
	var queries map[string]string
	if err := json.NewDecoder(os.Stdin).Decode(&queries); err != nil {
		fmt.Fprintln(os.Stderr, "queries:", err)
		os.Exit(2)
	}
	names := make([]string, 0, len(queries))
	for name := range queries {
		names = append(names, name)
	}
	sort.Strings(names)
	out := json.NewEncoder(os.Stdout)
	for _, name := range names {
		out.Encode(run(ctx, conn, name, queries[name]))
	}
}

func run(ctx context.Context, conn clickhouse.Conn, name, sql string) result {
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return result{Name: name, Error: err.Error()}
	}
	defer rows.Close()
	res := result{Name: name, Rows: [][]any{}}
	types := rows.ColumnTypes()
	for _, t := range types {
		res.Columns = append(res.Columns, column{Name: t.Name(), Type: t.DatabaseTypeName()})
	}
	for rows.Next() {
		// Scan targets of the driver's own Go type for each column, as the data source does.
		values := make([]any, len(types))
		for i, t := range types {
			values[i] = reflect.New(t.ScanType()).Interface()
		}
		if err := rows.Scan(values...); err != nil {
			return result{Name: name, Error: err.Error()}
		}
		row := make([]any, len(values))
		for i, v := range values {
			row[i] = render(reflect.ValueOf(v).Elem().Interface())
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return result{Name: name, Error: err.Error()}
	}
	return res
}

// render turns driver values into JSON the test can compare: times in RFC 3339 UTC, the rest as fmt prints them
// when JSON cannot (decimals, IPs, UUIDs).
func render(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Format(time.RFC3339Nano)
	case string, bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return x
	case *string:
		if x == nil {
			return nil
		}
		return *x
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return render(rv.Elem().Interface())
	}
	if _, err := json.Marshal(v); err == nil && rv.Kind() != reflect.Array {
		return v
	}
	return fmt.Sprint(v)
}
