package gpkg

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// schema is the smallest GeoPackage this reader accepts, as the
// GeoPackage 1.3 specification defines its tables.
var schema = []string{
	"PRAGMA application_id = 1196444487",
	"PRAGMA user_version = 10300",
	`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
		organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES
		('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
		('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL),
		('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84"]', NULL),
		('CGCS2000 / 3-degree Gauss-Kruger CM 114E', 4547, 'epsg', 4547, 'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E"]', NULL),
		('local grid', 900001, 'CHANGSHA', 1, 'LOCAL_CS["local"]', NULL)`,
	`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
		description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)`,
	`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
		srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name))`,
}

// featureTable is the SQL creating a feature table and registering it.
func featureTable(name, geomType string, srs int, columns string) []string {
	if columns != "" {
		columns = ", " + columns
	}
	return []string{
		"CREATE TABLE " + quote(name) + " (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom " + geomType + columns + ")",
		"INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('" + name + "', 'features', '" + name + "', " + itoa(srs) + ")",
		"INSERT INTO gpkg_geometry_columns VALUES ('" + name + "', 'geom', '" + geomType + "', " + itoa(srs) + ", 0, 0)",
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// writeGPKG writes a GeoPackage at path: the schema, then stmts, each a
// statement with its arguments ([]any{sql, args...} or a string).
// It is written under a plain name and renamed, as the driver reads a
// '?' in a plain name as the start of its parameters.
func writeGPKG(tb testing.TB, path string, stmts ...any) string {
	tb.Helper()
	tmp := filepath.Join(tb.TempDir(), "new.gpkg")
	db, err := sql.Open("sqlite", tmp)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	all := make([]any, 0, len(schema)+len(stmts)+2)
	for _, s := range schema {
		all = append(all, s)
	}
	all = append(all, "BEGIN")
	all = append(append(all, stmts...), "COMMIT")
	for _, s := range all {
		var q string
		var args []any
		switch s := s.(type) {
		case string:
			q = s
		case []string:
			for _, q := range s {
				if _, err := db.Exec(q); err != nil {
					tb.Fatalf("%s: %v", q, err)
				}
			}
			continue
		case []any:
			q, args = s[0].(string), s[1:]
		}
		if _, err := db.Exec(q, args...); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

func mustBlob(tb testing.TB, g orb.Geometry, srs int32) []byte {
	tb.Helper()
	b, err := EncodeBlob(g, srs)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var square = orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}

// TestCorruptFeatures: a row whose blob cannot be read is a Problem
// naming the file, table and fid; the rows around it are read.
func TestCorruptFeatures(t *testing.T) {
	good := mustBlob(t, square, 4326)
	cut := func(b []byte, n int) []byte { return b[:len(b)-n] }
	gc := blob(0x01, 4326, 0, wkbOf(le, 7, 1, wkbOf(le, 1, 1.0, 2.0)))
	path := writeGPKG(t, filepath.Join(t.TempDir(), "zoning.gpkg"),
		featureTable("zoning", "POLYGON", 4326, "code TEXT, area REAL"),
		[]any{"INSERT INTO zoning VALUES (1, ?, 'R1', 1.5)", good},
		[]any{"INSERT INTO zoning VALUES (2, ?, 'R2', 2.5)", append([]byte("XP"), good[2:]...)},
		[]any{"INSERT INTO zoning VALUES (3, ?, 'R3', 3.5)", good[:20]},
		[]any{"INSERT INTO zoning VALUES (4, ?, 'R4', 4.5)", cut(good, 9)},
		[]any{"INSERT INTO zoning VALUES (5, NULL, 'R5', NULL)"},
		[]any{"INSERT INTO zoning VALUES (6, 'POLYGON((0 0, 1 0, 1 1, 0 0))', 'R6', 6)"},
		[]any{"INSERT INTO zoning VALUES (7, ?, 'R7', 7)", mustBlob(t, square, 4490)},
		[]any{"INSERT INTO zoning VALUES (8, ?, 'R8', 8)", mustHex(t, gdalBlobs[6].hex)}, // point Z, srs 4326
		[]any{"INSERT INTO zoning VALUES (9, ?, 'R9', 9)", mustBlob(t, orb.LineString(make([]orb.Point, 11)), 4326)},
		[]any{"INSERT INTO zoning VALUES (10, ?, 'R10', 10)", gc},
		[]any{"INSERT INTO zoning VALUES (11, ?, 'R11', 11)", good},
	)
	l, err := Read(context.Background(), path, Options{MaxVertices: 10})
	if err != nil {
		t.Fatal(err)
	}
	problems := map[int64]string{
		2:  `does not start with "GP"`,
		3:  "inside its 32-byte envelope",
		4:  "ends inside a ring of 5 points",
		6:  "holds TEXT, not a GeoPackage blob",
		9:  "more than 10 points",
		10: "GeometryCollection",
	}
	if len(l.Features) != 11 {
		t.Fatalf("%d features, want 11", len(l.Features))
	}
	for i, f := range l.Features {
		if f.FID != int64(i+1) {
			t.Fatalf("feature %d has fid %d", i, f.FID)
		}
		if want := []Property{{Name: "code", Value: "R" + itoa(i+1)}}; !reflect.DeepEqual(f.Properties[:1], want) {
			t.Errorf("fid %d: properties %v", f.FID, f.Properties)
		}
		msg, bad := problems[f.FID]
		switch {
		case bad:
			prefix := "gpkg: " + path + ": table zoning: fid " + itoa(int(f.FID)) + ": invalid geometry: "
			if f.Problem == nil || !errors.Is(f.Problem, ErrGeometry) || !strings.HasPrefix(f.Problem.Error(), prefix) || !strings.Contains(f.Problem.Error(), msg) {
				t.Errorf("fid %d: problem %v, want %q…%q", f.FID, f.Problem, prefix, msg)
			}
			var e *Error
			if !errors.As(f.Problem, &e) || e.FID != f.FID || e.Table != "zoning" || e.File != path {
				t.Errorf("fid %d: problem %#v", f.FID, f.Problem)
			}
			if f.Geometry != nil {
				t.Errorf("fid %d: geometry %v beside a problem", f.FID, f.Geometry)
			}
		case f.Problem != nil:
			t.Errorf("fid %d: %v", f.FID, f.Problem)
		case f.FID == 5 && f.Geometry != nil:
			t.Errorf("NULL geometry read as %v", f.Geometry)
		case f.FID == 8 && !reflect.DeepEqual(f.Geometry, orb.Point{112.9, 28.2}):
			t.Errorf("point Z read as %v", f.Geometry)
		case f.FID != 5 && f.FID != 8 && !reflect.DeepEqual(f.Geometry, square):
			t.Errorf("fid %d: geometry %v", f.FID, f.Geometry)
		}
	}
	wantWarnings := []string{
		"table zoning: 1 geometries (first fid 7) have srs_id 4490, not the table's 4326; their coordinates are read as the table's",
		"table zoning: 1 geometries (first fid 8) carry Z or M values; only x and y are read",
	}
	if got := warningMessages(l.Warnings); !reflect.DeepEqual(got, wantWarnings) {
		t.Errorf("warnings\n got %q\nwant %q", got, wantWarnings)
	}
}

// TestNotGeoPackage: files that are not GeoPackages are refused as a
// whole, the message naming the file and saying what it is.
func TestNotGeoPackage(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := filepath.Join(dir, "plain.sqlite")
	db, err := sql.Open("sqlite", plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	gpkgNoContents := writeGPKG(t, filepath.Join(dir, "bare.gpkg"), "DROP TABLE gpkg_contents")
	cases := []struct {
		name, path string
		want       error
		msg        string
	}{
		{"GeoJSON", write("layer.gpkg", []byte(`{"type":"FeatureCollection","features":[]}`)), ErrNotGeoPackage, "not a SQLite database"},
		{"empty file", write("empty.gpkg", nil), ErrNotGeoPackage, "not a SQLite database"},
		{"plain SQLite", plain, ErrNotGeoPackage, "application_id is 0x00000000, not 'GPKG'"},
		{"no gpkg_contents", gpkgNoContents, ErrNotGeoPackage, "no gpkg_contents table"},
		{"header only", write("short.gpkg", []byte("SQLite format 3\x00\x10\x00")), ErrCorrupt, "shorter than the 100-byte SQLite header"},
		{"missing", filepath.Join(dir, "missing.gpkg"), ErrUnreadable, "no such file"},
		{"directory", dir, ErrUnreadable, "a directory, not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(context.Background(), c.path, Options{})
			if !errors.Is(err, c.want) || !strings.HasPrefix(err.Error(), "gpkg: "+c.path+": ") || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("Read: %v, want %v with %q", err, c.want, c.msg)
			}
			if _, err := Tables(context.Background(), c.path); !errors.Is(err, c.want) {
				t.Errorf("Tables: %v, want %v", err, c.want)
			}
		})
	}
}

// manyRows is a GeoPackage of n squares, several pages long.
func manyRows(tb testing.TB, path string, n int) string {
	tb.Helper()
	stmts := []any{featureTable("parcels", "POLYGON", 4547, "名称 TEXT")}
	for i := range n {
		p := orb.Polygon{{{float64(i), 0}, {float64(i) + 1, 0}, {float64(i) + 1, 1}, {float64(i), 0}}}
		stmts = append(stmts, []any{"INSERT INTO parcels (geom, 名称) VALUES (?, ?)", mustBlob(tb, p, 4547), "地块" + itoa(i)})
	}
	return writeGPKG(tb, path, stmts...)
}

// TestTruncatedAndDamaged: a GeoPackage cut short or with a page
// overwritten is refused as a whole; nothing partial comes back.
func TestTruncatedAndDamaged(t *testing.T) {
	dir := t.TempDir()
	src := manyRows(t, filepath.Join(dir, "parcels.gpkg"), 2000)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := Read(context.Background(), src, Options{}); err != nil || len(l.Features) != 2000 || l.EPSG != 4547 {
		t.Fatalf("whole file: %v", err)
	}
	t.Run("truncated", func(t *testing.T) {
		p := filepath.Join(dir, "cut.gpkg")
		if err := os.WriteFile(p, data[:len(data)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Read(context.Background(), p, Options{})
		if l != nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "gpkg: "+p+": corrupt GeoPackage: truncated") {
			t.Errorf("Read: %v", err)
		}
	})
	t.Run("page overwritten", func(t *testing.T) {
		// The last page holds rows of the feature table: garbage there is
		// found by SQLite while reading them.
		damaged := append([]byte(nil), data...)
		for i := len(damaged) - 4096; i < len(damaged); i++ {
			damaged[i] = byte(i*7 + 13)
		}
		p := filepath.Join(dir, "damaged.gpkg")
		if err := os.WriteFile(p, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Read(context.Background(), p, Options{})
		t.Log(err)
		if l != nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) {
			t.Errorf("Read: %v", err)
		}
	})
}

func TestTooLarge(t *testing.T) {
	path := manyRows(t, filepath.Join(t.TempDir(), "parcels.gpkg"), 10)
	_, err := Read(context.Background(), path, Options{MaxBytes: 1000})
	if !errors.Is(err, geo.ErrTooLarge) || !strings.Contains(err.Error(), path) {
		t.Errorf("Read: %v", err)
	}
}

func TestCancelled(t *testing.T) {
	path := manyRows(t, filepath.Join(t.TempDir(), "parcels.gpkg"), 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, path, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Read: %v", err)
	}
}

// TestTables: tables that are missing, not features, or several.
func TestTables(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	none := writeGPKG(t, filepath.Join(dir, "none.gpkg"),
		"CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
		"INSERT INTO gpkg_contents (table_name, data_type) VALUES ('notes', 'attributes')")
	if _, err := Read(ctx, none, Options{}); !errors.Is(err, ErrNoTable) || !strings.Contains(err.Error(), "no feature table") {
		t.Errorf("no feature table: %v", err)
	}
	if _, err := Read(ctx, none, Options{Table: "notes"}); !errors.Is(err, ErrNoTable) || !strings.Contains(err.Error(), `"attributes" table, not features`) {
		t.Errorf("attributes table: %v", err)
	}
	if tables, err := Tables(ctx, none); err != nil || len(tables) != 0 {
		t.Errorf("Tables = %q, %v", tables, err)
	}
	ghost := writeGPKG(t, filepath.Join(dir, "ghost.gpkg"),
		"INSERT INTO gpkg_contents (table_name, data_type) VALUES ('ghost', 'features')",
		"INSERT INTO gpkg_geometry_columns VALUES ('ghost', 'geom', 'POLYGON', 4326, 0, 0)")
	if _, err := Read(ctx, ghost, Options{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "table ghost: corrupt GeoPackage: listed in gpkg_contents but the table does not exist") {
		t.Errorf("listed, missing: %v", err)
	}
	noGeomRow := writeGPKG(t, filepath.Join(dir, "nogeom.gpkg"),
		featureTable("a", "POLYGON", 4326, "")[:2])
	if _, err := Read(ctx, noGeomRow, Options{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "gpkg_geometry_columns") {
		t.Errorf("no geometry column row: %v", err)
	}
	noSRS := writeGPKG(t, filepath.Join(dir, "nosrs.gpkg"), featureTable("a", "POLYGON", 3857, ""))
	if _, err := Read(ctx, noSRS, Options{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "srs_id 3857 is not in gpkg_spatial_ref_sys") {
		t.Errorf("srs_id without a definition: %v", err)
	}
	several := writeGPKG(t, filepath.Join(dir, "several.gpkg"),
		featureTable("规划", "POLYGON", 4547, ""), featureTable("b", "POINT", 900001, ""), featureTable("a", "POINT", 0, ""))
	_, err := Read(ctx, several, Options{})
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), `its feature tables: "a", "b", "规划"`) {
		t.Errorf("several: %v", err)
	}
	for _, c := range []struct {
		table string
		srs   int32
		epsg  int
	}{{"规划", 4547, 4547}, {"b", 900001, 0}, {"a", 0, 0}} {
		l, err := Read(ctx, several, Options{Table: c.table})
		if err != nil || l.SRSID != c.srs || l.EPSG != c.epsg || l.Features != nil {
			t.Errorf("table %s: %+v, %v", c.table, l, err)
		}
	}
}

// TestValues: column types as Read returns them, a BLOB attribute as
// hex, text that is not UTF-8 kept with a warning, and a file name with
// the characters a SQLite URI gives meaning to.
func TestValues(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "规划 #1 ?50%")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := writeGPKG(t, filepath.Join(dir, "用地 ?#%.gpkg"),
		featureTable("t", "POINT", 4326, `"b" BOOLEAN, "i" INTEGER, "r" REAL, "s" TEXT, "d" DATE, "dt" DATETIME, "x" BLOB, "n" TEXT`),
		[]any{`INSERT INTO t VALUES (3, ?, 1, -7, 0.5, '长沙', '2024-02-29', '2024-02-29T08:00:00Z', X'00ff10', NULL)`, mustBlob(t, orb.Point{1, 2}, 4326)},
		[]any{`INSERT INTO t VALUES (9, NULL, 0, 9007199254740993, 1e300, CAST(X'b3a4c9b3' AS TEXT), 'tomorrow', 20240229, X'', 'x')`},
	)
	sum := func() [32]byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	l, err := Read(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum() != before {
		t.Error("reading changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files beside it after reading: %v", entries)
	}
	cols := []string{"b", "i", "r", "s", "d", "dt", "x", "n"}
	if !reflect.DeepEqual(l.Columns, cols) {
		t.Errorf("columns %q", l.Columns)
	}
	props := func(vals ...any) []Property {
		out := make([]Property, len(vals))
		for i, v := range vals {
			out[i] = Property{Name: cols[i], Value: v}
		}
		return out
	}
	want := []Feature{
		{FID: 3, Geometry: orb.Point{1, 2}, Properties: props(true, int64(-7), 0.5, "长沙", "2024-02-29", "2024-02-29T08:00:00Z", "00ff10", nil)},
		{FID: 9, Properties: props(false, int64(9007199254740993), 1e300, "\xb3\xa4\xc9\xb3", "tomorrow", int64(20240229), "", "x")},
	}
	if !reflect.DeepEqual(l.Features, want) {
		t.Errorf("features\n got %#v\nwant %#v", l.Features, want)
	}
	wantWarnings := []string{"table t: column s: 1 values (first fid 9) are not valid UTF-8 text; kept as stored"}
	if got := warningMessages(l.Warnings); !reflect.DeepEqual(got, wantWarnings) {
		t.Errorf("warnings %q", got)
	}
}

// warningMessages are the English halves of warnings.
func warningMessages(ws []geo.Text) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Message)
	}
	return out
}
