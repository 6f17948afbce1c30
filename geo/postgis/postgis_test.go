package postgis

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgresql://plan@127.0.0.1:5432/gis", "postgresql://plan@127.0.0.1:5432/gis"},
		{"postgresql://plan:secret@127.0.0.1:5432/gis", "postgresql://plan@127.0.0.1:5432/gis"},
		{"postgres://plan:@h/gis?sslmode=disable", "postgres://plan@h/gis?sslmode=disable"},
		{"postgresql://plan@h/gis?password=secret&sslmode=require", "postgresql://plan@h/gis?sslmode=require"},
		{"postgresql://plan@h/gis?PASSWORD=secret", "postgresql://plan@h/gis"},
		{"postgresql:///gis?host=/var/run/postgresql", "postgresql:///gis?host=/var/run/postgresql"},
		// Not a URL net/url accepts (a bad escape): still no password.
		{"postgresql://plan:se%zzcret@h/gis", "postgresql://plan@h/gis"},
		{"postgresql://plan@h/gis?x=%zz&password=secret", "postgresql://plan@h/gis?x=%zz"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRefused covers what Read refuses before it connects: no database is
// needed.
func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		opts      Options
		kind      error
		want      string
	}{
		{"password", "postgresql://plan:secret@127.0.0.1:1/gis", Options{Table: "zoning"}, ErrPassword,
			`postgis: postgresql://plan@127.0.0.1:1/gis: table "zoning": the URL holds a password; remove it and give it in the PGPASSWORD environment variable (or ~/.pgpass)`},
		{"password parameter", "postgresql://plan@127.0.0.1:1/gis?password=secret", Options{Query: "SELECT 1"}, ErrPassword,
			`postgis: postgresql://plan@127.0.0.1:1/gis: query: the URL holds a password`},
		{"not a URL", "host=127.0.0.1 dbname=gis", Options{Table: "zoning"}, ErrURL, `not a postgresql:// URL`},
		{"other scheme", "mysql://h/gis", Options{Table: "zoning"}, ErrURL, `not a postgresql:// URL`},
		{"neither", "postgresql://h/gis", Options{}, ErrOptions, `give exactly one of table and query`},
		{"both", "postgresql://h/gis", Options{Table: "t", Query: "SELECT 1"}, ErrOptions, `give exactly one of table and query`},
		{"three-part table", "postgresql://h/gis", Options{Table: "db.plans.zoning"}, ErrOptions, `a table is name or schema.name`},
		{"empty part", "postgresql://h/gis", Options{Table: "plans."}, ErrOptions, `a table is name or schema.name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Read(context.Background(), tc.url, tc.opts)
			if l != nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, %v; want %v with %q", l, err, tc.kind, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not an *Error", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the message shows the password: %v", err)
			}
		})
	}
}

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		oid  uint32
		text string
		want any
	}{
		{oidBool, "t", true},
		{oidBool, "f", false},
		{oidInt2, "-7", int64(-7)},
		{oidInt4, "2030", int64(2030)},
		{oidInt8, "9223372036854775807", int64(9223372036854775807)},
		{oidFloat8, "0.1", 0.1},
		{oidFloat8, "-1.5e+300", -1.5e300},
		{oidFloat4, "1.1", 1.1},
		{oidFloat8, "NaN", "NaN"},
		{oidFloat8, "-Infinity", "-Infinity"},
		{oidNumeric, "123.450", 123.45},
		{oidNumeric, "0.1", 0.1},
		{oidNumeric, "12345678901234567890", "12345678901234567890"},
		{oidNumeric, "0.12345678901234567890123", "0.12345678901234567890123"},
		{oidNumeric, "NaN", "NaN"},
		{oidNumeric, "Infinity", "Infinity"},
		{1082, "2026-12-05", "2026-12-05"}, // date
		{25, "一般农地区", "一般农地区"},
		{oidBytea, `\x78`, `\x78`},
	} {
		if got := value(tc.oid, []byte(tc.text)); got != tc.want {
			t.Errorf("value(%d, %q) = %#v, want %#v", tc.oid, tc.text, got, tc.want)
		}
	}
	if got := value(oidInt4, nil); got != nil {
		t.Errorf("NULL: %#v", got)
	}
}

func TestTypmodSRID(t *testing.T) {
	// Type modifiers PostgreSQL reports for geometry columns (from
	// pg_attribute.atttypmod of geometry(Polygon,4547) and friends).
	for _, tc := range []struct {
		typmod int32
		want   int
	}{
		{-1, 0},
		{1164044, 4547},     // geometry(Polygon,4547)
		{1107460, 4326},     // geometry(Point,4326)
		{4, 0},              // geometry(Point)
		{253440280, 990001}, // geometry(MultiPolygon,990001)
	} {
		if got := typmodSRID(tc.typmod); got != tc.want {
			t.Errorf("typmodSRID(%d) = %d, want %d", tc.typmod, got, tc.want)
		}
	}
}
