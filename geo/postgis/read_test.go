package postgis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// The tests below need a PostgreSQL server with PostGIS. They take its URL
// (without a password) from PLANCHECK_TEST_POSTGRES and the password from
// PGPASSWORD; testdata/cluster.sh starts a throwaway one and prints both:
//
//	eval "$(bash geo/postgis/testdata/cluster.sh start)"
//	go test ./geo/postgis
//	bash geo/postgis/testdata/cluster.sh stop "$PLANCHECK_PG_DIR"
//
// .ci/run does so. Without the variable they skip, except under CI=true,
// where they fail: CI must not pass without having read a database. Each
// test works in a schema of its own, dropped at the end.

// testDB returns the server's URL, a connection for setting up, and a
// fresh schema's name.
func testDB(t *testing.T) (string, *pgx.Conn, string) {
	t.Helper()
	u := os.Getenv("PLANCHECK_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PLANCHECK_TEST_POSTGRES is not set (CI starts a cluster with geo/postgis/testdata/cluster.sh)")
		}
		t.Skip("PLANCHECK_TEST_POSTGRES not set (eval \"$(bash geo/postgis/testdata/cluster.sh start)\")")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect to PLANCHECK_TEST_POSTGRES: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "plancheck_test_" + hex.EncodeToString(b[:])
	exec1(t, conn, "CREATE SCHEMA "+schema)
	t.Cleanup(func() {
		conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(ctx)
	})
	return u, conn, schema
}

func exec1(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func mustRead(t *testing.T, u string, opts Options) *Layer {
	t.Helper()
	l, err := Read(context.Background(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// ogrSource is the URL as GDAL's PostgreSQL driver names a database; the
// password reaches it through PGPASSWORD like everything else.
func ogrSource(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	s := "PG:dbname=" + strings.TrimPrefix(p.Path, "/")
	if h := p.Hostname(); h != "" {
		s += " host=" + h
	}
	if port := p.Port(); port != "" {
		s += " port=" + port
	}
	if p.User != nil {
		s += " user=" + p.User.Username()
	}
	return s
}

// TestFixtures loads every layer of fixtures/czt into PostGIS with
// ogr2ogr, as a bureau's database would hold them, and reads each back
// against its GeoJSON decoded with encoding/json: same rows in the same
// order, the same properties (Chinese text included) and exactly the
// same coordinates. zhuzhou-master's coordinates are CGCS2000 3-degree
// Gauss–Krüger CM 114E already, so it is loaded as EPSG:4547.
//
// GDAL closes an unclosed ring on the way in (it warns), so the planted
// unclosed rings of qa-invalid come back closed: the one thing that
// changes, and not by this reader.
func TestFixtures(t *testing.T) {
	if testing.Short() {
		t.Skip("short: ogr2ogr takes a second a layer")
	}
	u, _, schema := testDB(t)
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("ogr2ogr not installed (apt-get install gdal-bin)")
	}
	layers, _ := filepath.Glob("../../fixtures/czt/layers/*.geojson")
	if len(layers) == 0 {
		t.Fatal("no fixture layers")
	}
	for _, src := range layers {
		name := strings.TrimSuffix(filepath.Base(src), ".geojson")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			table := strings.ReplaceAll(name, "-", "_")
			args := []string{"-f", "PostgreSQL", ogrSource(t, u), src, "-nln", schema + "." + table, "-lco", "GEOMETRY_NAME=geom"}
			srid := 4326
			if name == "zhuzhou-master" {
				args = append(args, "-a_srs", "EPSG:4547")
				srid = 4547
			}
			cmd := exec.Command("ogr2ogr", args...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			l := mustRead(t, u, Options{Table: schema + "." + table})
			want := readGeoJSON(t, src)
			if l.SRID != srid || l.EPSG != srid || l.GeometryColumn != "geom" {
				t.Errorf("SRID %d, EPSG %d, geometry column %q; want %d, %d, geom", l.SRID, l.EPSG, l.GeometryColumn, srid, srid)
			}
			if l.Columns[0] != "ogc_fid" {
				t.Errorf("columns %v: want ogr2ogr's ogc_fid first", l.Columns)
			}
			if len(l.Features) != len(want) {
				t.Fatalf("%d rows, want %d", len(l.Features), len(want))
			}
			for i, f := range l.Features {
				w := want[i]
				if f.Row != i+1 || f.Problem != nil {
					t.Fatalf("row %d: Row %d, Problem %v", i+1, f.Row, f.Problem)
				}
				g := w.geometry
				if name == "qa-invalid" {
					g = closeRings(g)
				}
				if !reflect.DeepEqual(f.Geometry, g) {
					t.Errorf("row %d (%v): geometry\n got %v\nwant %v", f.Row, w.id, f.Geometry, g)
				}
				got := map[string]any{}
				for _, p := range f.Properties {
					if p.Name != "ogc_fid" && p.Value != nil {
						got[p.Name] = p.Value
					}
				}
				if !sameProperties(got, w.properties) {
					t.Errorf("row %d (%v): properties\n got %v\nwant %v", f.Row, w.id, got, w.properties)
				}
			}
		})
	}
}

type wantFeature struct {
	id         any
	properties map[string]any // ogr2ogr's column names (lower case); the feature id as "id"
	geometry   orb.Geometry
}

// readGeoJSON decodes a fixture layer with encoding/json alone.
func readGeoJSON(t *testing.T, path string) []wantFeature {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			ID         any            `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	var out []wantFeature
	for _, f := range fc.Features {
		w := wantFeature{id: f.ID, properties: map[string]any{}}
		for k, v := range f.Properties {
			if v != nil {
				w.properties[strings.ToLower(k)] = v
			}
		}
		if f.ID != nil {
			w.properties["id"] = f.ID
		}
		c := f.Geometry.Coordinates
		var err error
		switch f.Geometry.Type {
		case "Point":
			var p orb.Point
			err = json.Unmarshal(c, &p)
			w.geometry = p
		case "LineString":
			var l orb.LineString
			err = json.Unmarshal(c, &l)
			w.geometry = l
		case "Polygon":
			var p orb.Polygon
			err = json.Unmarshal(c, &p)
			w.geometry = p
		case "MultiPolygon":
			var p orb.MultiPolygon
			err = json.Unmarshal(c, &p)
			w.geometry = p
		default:
			t.Fatalf("%s: fixture geometry %s", path, f.Geometry.Type)
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}

// sameProperties compares read values with JSON ones: integers read as
// int64 against JSON's float64.
func sameProperties(got, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			return false
		}
		if n, isInt := g.(int64); isInt {
			g = float64(n)
		}
		if g != w {
			return false
		}
	}
	return true
}

func closeRings(g orb.Geometry) orb.Geometry {
	closeP := func(p orb.Polygon) orb.Polygon {
		out := orb.Polygon{}
		for _, r := range p {
			if len(r) > 0 && r[0] != r[len(r)-1] {
				r = append(append(orb.Ring{}, r...), r[0])
			}
			out = append(out, r)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Polygon:
		return closeP(g)
	case orb.MultiPolygon:
		out := orb.MultiPolygon{}
		for _, p := range g {
			out = append(out, closeP(p))
		}
		return out
	}
	return g
}

// TestRows covers what a table or query can hold, row by row.
func TestRows(t *testing.T) {
	u, conn, s := testDB(t)
	// Rows inserted out of key order: the key orders them.
	exec1(t, conn, `CREATE TABLE `+s+`.zoning (
		code text, part int, name text, area numeric(12,2), far real, approved date, ok boolean, tags text[],
		geom geometry(Geometry, 4547), PRIMARY KEY (code, part))`)
	exec1(t, conn, `INSERT INTO `+s+`.zoning VALUES
		('B', 1, '商业用地', 1234.50, 2.5, '2026-03-01', true, '{a,b}', 'SRID=4547;POLYGON((0 0,10 0,10 10,0 0))'),
		('A', 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		('A', 1, '居住用地', 0.10, 1.1, '1999-12-31', false, '{}', 'SRID=4547;MULTIPOLYGON EMPTY'),
		('C', 1, 'nan', 1, 1, '2026-01-01', true, '{}', ST_SetSRID(ST_MakePoint('NaN'::float8, 0), 4547)),
		('D', 1, 'circle', 1, 1, '2026-01-01', true, '{}', 'SRID=4547;CIRCULARSTRING(0 0,1 1,2 0)'),
		('E', 1, 'collection', 1, 1, '2026-01-01', true, '{}', 'SRID=4547;GEOMETRYCOLLECTION(POINT(1 2))')`)
	l := mustRead(t, u, Options{Table: s + ".zoning"})
	if want := []string{"code", "part", "name", "area", "far", "approved", "ok", "tags"}; !reflect.DeepEqual(l.Columns, want) {
		t.Errorf("columns %v, want %v", l.Columns, want)
	}
	if l.SRID != 4547 || l.EPSG != 4547 || l.GeometryColumn != "geom" || l.Table != s+".zoning" {
		t.Errorf("layer %+v", l)
	}
	if want := Redact(u) + `: table "` + s + `.zoning"`; l.Source != want {
		t.Errorf("Source %q, want %q", l.Source, want)
	}
	type row struct {
		geom    orb.Geometry
		props   []any
		problem string
	}
	want := []row{
		{orb.MultiPolygon{}, []any{"A", int64(1), "居住用地", 0.1, 1.1, "1999-12-31", false, "{}"}, ""},
		{nil, []any{"A", int64(2), nil, nil, nil, nil, nil, nil}, ""},
		{orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 0}}}, []any{"B", int64(1), "商业用地", 1234.5, 2.5, "2026-03-01", true, "{a,b}"}, ""},
		{nil, nil, "row 4: invalid geometry: NaN coordinate (point 1 of 1)"},
		{nil, nil, "row 5: invalid geometry: a CircularString is not read"},
		{nil, nil, "row 6: invalid geometry: a GeometryCollection is not read"},
	}
	if len(l.Features) != len(want) {
		t.Fatalf("%d features, want %d", len(l.Features), len(want))
	}
	for i, w := range want {
		f := l.Features[i]
		if f.Row != i+1 {
			t.Errorf("feature %d has Row %d", i, f.Row)
		}
		if !reflect.DeepEqual(f.Geometry, w.geom) {
			t.Errorf("row %d: geometry %#v, want %#v", f.Row, f.Geometry, w.geom)
		}
		if w.props != nil {
			var got []any
			for _, p := range f.Properties {
				got = append(got, p.Value)
			}
			if !reflect.DeepEqual(got, w.props) {
				t.Errorf("row %d: properties %#v, want %#v", f.Row, got, w.props)
			}
		}
		switch {
		case w.problem == "" && f.Problem != nil:
			t.Errorf("row %d: %v", f.Row, f.Problem)
		case w.problem != "" && (f.Problem == nil || !strings.Contains(f.Problem.Error(), w.problem) || !errors.Is(f.Problem, ErrGeometry)):
			t.Errorf("row %d: problem %v, want one with %q", f.Row, f.Problem, w.problem)
		}
	}
	if p := l.Features[3].Problem; p != nil && !strings.HasPrefix(p.Error(), "postgis: "+Redact(u)+`: table "`+s+`.zoning": row 4: `) {
		t.Errorf("problem message %q does not name the source and row", p)
	}

	// Too many points: a Problem of that row alone.
	l = mustRead(t, u, Options{Table: s + ".zoning", MaxVertices: 3})
	for i, f := range l.Features {
		tooMany := f.Problem != nil && strings.Contains(f.Problem.Error(), "more than 3 points")
		if tooMany != (i == 2) {
			t.Errorf("row %d with MaxVertices 3: %v", f.Row, f.Problem)
		}
	}
}

func TestOrder(t *testing.T) {
	u, conn, s := testDB(t)
	// No key: physical order. An update moves a row to the end.
	exec1(t, conn, `CREATE TABLE `+s+`.heap (n int, geom geometry)`)
	exec1(t, conn, `INSERT INTO `+s+`.heap SELECT n, ST_MakePoint(n, n) FROM generate_series(1, 5) n`)
	exec1(t, conn, `UPDATE `+s+`.heap SET n = 10 WHERE n = 2`)
	exec1(t, conn, `CREATE VIEW `+s+`.v AS SELECT * FROM `+s+`.heap ORDER BY n DESC`)
	for _, tc := range []struct {
		opts Options
		want []int64
	}{
		{Options{Table: s + ".heap"}, []int64{1, 3, 4, 5, 10}},
		{Options{Table: s + ".v"}, []int64{10, 5, 4, 3, 1}},
		{Options{Query: "SELECT * FROM " + s + ".heap ORDER BY n % 3, n"}, []int64{3, 1, 4, 10, 5}},
	} {
		l := mustRead(t, u, tc.opts)
		var got []int64
		for _, f := range l.Features {
			got = append(got, f.Properties[0].Value.(int64))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: order %v, want %v", tc.opts, got, tc.want)
		}
	}
}

func TestQuery(t *testing.T) {
	u, conn, s := testDB(t)
	exec1(t, conn, `CREATE TABLE `+s+`."生态绿心" (id serial PRIMARY KEY, "Class" text, g geometry(Point, 4490))`)
	exec1(t, conn, `INSERT INTO `+s+`."生态绿心" ("Class", g) VALUES ('E1', 'SRID=4490;POINT(112.9 28.1)'), ('E2', 'SRID=4490;POINT(113 28)')`)
	// A quoted, non-ASCII table name and a mixed-case column.
	l := mustRead(t, u, Options{Table: s + ".生态绿心"})
	if len(l.Features) != 2 || l.EPSG != 4490 || l.Columns[1] != "Class" {
		t.Fatalf("table: %+v", l)
	}
	// A query: its own order, its columns, a computed geometry.
	l = mustRead(t, u, Options{Query: `SELECT "Class" AS 类别, ST_Buffer(g, 1, 1) AS zone FROM ` + s + `."生态绿心" ORDER BY id DESC;`})
	if l.Source != Redact(u)+": query" || l.Table != "" || l.GeometryColumn != "zone" || !reflect.DeepEqual(l.Columns, []string{"类别"}) {
		t.Errorf("query layer %+v", l)
	}
	if l.SRID != 4490 || len(l.Features) != 2 || l.Features[0].Properties[0].Value != "E2" {
		t.Errorf("query: SRID %d, features %+v", l.SRID, l.Features)
	}
	if p, ok := l.Features[0].Geometry.(orb.Polygon); !ok || len(p[0]) != 5 {
		t.Errorf("ST_Buffer(quad_segs 1) gave %v", l.Features[0].Geometry)
	}

	// SRIDs: none, one spatial_ref_sys lacks, and the column's declared
	// one when no row has a geometry.
	exec1(t, conn, `CREATE TABLE `+s+`.empty (g geometry(MultiPolygon, 4547))`)
	for _, tc := range []struct {
		opts       Options
		srid, epsg int
	}{
		{Options{Query: "SELECT ST_MakePoint(1, 2)"}, 0, 0},
		{Options{Query: "SELECT ST_SetSRID(ST_MakePoint(1, 2), 990001)"}, 990001, 0},
		{Options{Table: s + ".empty"}, 4547, 4547},
		{Options{Query: "SELECT g FROM " + s + ".empty"}, 4547, 4547},
	} {
		l := mustRead(t, u, tc.opts)
		if l.SRID != tc.srid || l.EPSG != tc.epsg {
			t.Errorf("%+v: SRID %d EPSG %d, want %d %d", tc.opts, l.SRID, l.EPSG, tc.srid, tc.epsg)
		}
	}

	// Bad geometry from a query is that row's Problem.
	l = mustRead(t, u, Options{Query: `SELECT n, CASE n WHEN 2 THEN ST_MakePoint('NaN'::float8, 0) ELSE ST_MakePoint(n, 0) END AS g FROM generate_series(1, 3) n`})
	for i, f := range l.Features {
		if (f.Problem != nil) != (i == 1) || (f.Geometry == nil) != (i == 1) {
			t.Errorf("row %d: %v %v", f.Row, f.Geometry, f.Problem)
		}
	}

	// Several geometry columns: one is chosen, the others are left out.
	l = mustRead(t, u, Options{Query: "SELECT 1 AS a, ST_MakePoint(1, 2) AS p, ST_MakePoint(3, 4) AS q", GeometryColumn: "q"})
	if !reflect.DeepEqual(l.Features[0].Geometry, orb.Point{3, 4}) || !reflect.DeepEqual(l.Columns, []string{"a"}) {
		t.Errorf("GeometryColumn q: %+v", l.Features[0])
	}
}

func TestErrors(t *testing.T) {
	u, conn, s := testDB(t)
	exec1(t, conn, `CREATE TABLE `+s+`.two (id int PRIMARY KEY, a geometry, b geometry)`)
	exec1(t, conn, `INSERT INTO `+s+`.two VALUES (1, 'POINT(1 2)', 'POINT(3 4)')`)
	exec1(t, conn, `CREATE TABLE `+s+`.land_use (g geometry)`)
	src := Redact(u)
	closed := closedPort(t)
	refused := strings.Replace(u, "127.0.0.1:"+portOf(t, u), "127.0.0.1:"+closed, 1)
	for _, tc := range []struct {
		name string
		url  string
		opts Options
		kind error
		want string
	}{
		{"missing table", u, Options{Table: s + ".zoning"}, ErrNoTable,
			src + `: table "` + s + `.zoning": relation does not exist`},
		{"case of a table", u, Options{Table: s + ".Land_Use"}, ErrNoTable,
			src + `: table "` + s + `.Land_Use": relation does not exist: there is "` + s + `.land_use" (names are case-sensitive)`},
		{"missing table, search path", u, Options{Table: "nowhere"}, ErrNoTable,
			src + `: table "nowhere": relation does not exist: searched "$user", public`},
		{"refused connection", refused, Options{Table: "zoning"}, ErrConnect,
			Redact(refused) + `: table "zoning": cannot connect: `},
		{"password in URL", strings.Replace(u, "@", ":secret@", 1), Options{Table: "zoning"}, ErrPassword,
			src + `: table "zoning": the URL holds a password; remove it and give it in the PGPASSWORD`},
		{"two geometry columns", u, Options{Table: s + ".two"}, ErrGeometryColumn,
			`several geometry columns ("a", "b"); choose one`},
		{"no such geometry column", u, Options{Table: s + ".two", GeometryColumn: "c"}, ErrGeometryColumn,
			`no geometry column "c" (there is "a", "b")`},
		{"no geometry column", u, Options{Query: "SELECT 1 AS a, 'x' AS b"}, ErrGeometryColumn,
			src + `: query: no single geometry column: no column of type geometry among "a", "b"`},
		{"bad geometry text", u, Options{Query: "SELECT 'x'::bytea::geometry"}, ErrQuery,
			src + `: query: query failed: `},
		{"syntax", u, Options{Query: "SELEC 1"}, ErrQuery, `syntax error at or near "SELEC" at character 1 of the query`},
		{"two statements", u, Options{Query: "SELECT ST_MakePoint(1,2); SELECT 1"}, ErrQuery, `cannot insert multiple commands into a prepared statement`},
		{"writing", u, Options{Query: "DELETE FROM " + s + ".two RETURNING a"}, ErrQuery, `cannot execute DELETE in a read-only transaction`},
		{"mixed SRIDs", u, Options{Query: "SELECT ST_SetSRID(ST_MakePoint(n, 0), 4326 + (n / 3)) FROM generate_series(1, 4) n"}, ErrMixedSRID,
			src + `: query: rows have different SRIDs: 4326 (row 1) and 4327 (row 3)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Read(context.Background(), tc.url, tc.opts)
			if l != nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\n%v\nwant %v with %q", l, err, tc.kind, tc.want)
			}
			if strings.Contains(err.Error(), "secret") || (os.Getenv("PGPASSWORD") != "" && strings.Contains(err.Error(), os.Getenv("PGPASSWORD"))) {
				t.Errorf("the message shows a password: %v", err)
			}
		})
	}
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+s+".two").Scan(&n); err != nil || n != 1 {
		t.Errorf("after the refused DELETE: %d rows, %v", n, err)
	}
}

// TestNoPassword: without PGPASSWORD (or ~/.pgpass) the server's refusal
// says what is missing.
func TestNoPassword(t *testing.T) {
	u, _, _ := testDB(t)
	t.Setenv("PGPASSWORD", "")
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))
	_, err := Read(context.Background(), u, Options{Query: "SELECT ST_MakePoint(1, 2)"})
	if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), "no PGPASSWORD set") {
		t.Errorf("got %v", err)
	}
}

func TestCancel(t *testing.T) {
	u, _, _ := testDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, u, Options{Query: "SELECT ST_MakePoint(1, 2)"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Read(ctx, u, Options{Query: "SELECT pg_sleep(10), ST_MakePoint(1, 2)"})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled while running, after %v: %v", time.Since(start), err)
	}
}

// closedPort returns a port on 127.0.0.1 nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

func portOf(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil || p.Port() == "" {
		t.Skipf("PLANCHECK_TEST_POSTGRES %q names no 127.0.0.1 port", Redact(u))
	}
	return p.Port()
}

// ExampleRead reads a layer as plancheck's manifest names it (source:,
// table:); the password comes from PGPASSWORD.
func ExampleRead() {
	l, err := Read(context.Background(), "postgresql://plan@127.0.0.1:5432/gis", Options{Table: "plans.zoning"})
	if err != nil {
		fmt.Println(err) // postgis: postgresql://plan@127.0.0.1:5432/gis: table "plans.zoning": …
		return
	}
	for _, f := range l.Features {
		if f.Problem != nil {
			fmt.Println(f.Problem) // …: row 7: invalid geometry: NaN coordinate (point 3 of 12) at or near …
			continue
		}
		if f.Geometry != nil { // NULL
			fmt.Println(l.Source, "row", f.Row, "EPSG", l.EPSG, f.Geometry.GeoJSONType())
		}
	}
}
