package shapefile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// The Shapefiles in testdata were written by GDAL's ogr2ogr (the reference
// writer; testdata/generate.sh) from testdata/src/*.geojson, subsets of
// fixtures/czt/layers. Each must read back as its source: the same
// features in order, exactly the same coordinates (the format stores
// float64, as JSON parsing gives), the same attributes.

// srcFeature is a GeoJSON feature of a source file. (orb/geojson would
// do, but it needs a module plancheck does not require.)
type srcFeature struct {
	ID         any            `json:"id"`
	Properties map[string]any `json:"properties"`
	Geometry   orb.Geometry   `json:"-"`
	Raw        *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

func readSource(tb testing.TB, path string) []*srcFeature {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fc struct{ Features []*srcFeature }
	if err := json.Unmarshal(b, &fc); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	for _, f := range fc.Features {
		if f.Raw == nil {
			continue
		}
		var err error
		c := f.Raw.Coordinates
		switch f.Raw.Type {
		case "Point":
			var g orb.Point
			err = json.Unmarshal(c, &g)
			f.Geometry = g
		case "MultiPoint":
			var g orb.MultiPoint
			err = json.Unmarshal(c, &g)
			f.Geometry = g
		case "LineString":
			var g orb.LineString
			err = json.Unmarshal(c, &g)
			f.Geometry = g
		case "MultiLineString":
			var g orb.MultiLineString
			err = json.Unmarshal(c, &g)
			f.Geometry = g
		case "Polygon":
			var g orb.Polygon
			err = json.Unmarshal(c, &g)
			f.Geometry = g
		case "MultiPolygon":
			var g orb.MultiPolygon
			err = json.Unmarshal(c, &g)
			f.Geometry = g
		default:
			err = fmt.Errorf("geometry type %q", f.Raw.Type)
		}
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
	}
	return fc.Features
}

func mustRead(tb testing.TB, path string, opts Options) *Layer {
	tb.Helper()
	l, err := Read(context.Background(), path, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// normalise makes a one-part Multi geometry its single part: a Shapefile
// has no way to say MultiPolygon of one polygon, and reads it as Polygon
// (GDAL does too).
func normalise(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.MultiPolygon:
		if len(g) == 1 {
			return g[0]
		}
	case orb.MultiLineString:
		if len(g) == 1 {
			return g[0]
		}
	}
	return g
}

// sameGeometry compares a read geometry with its source: exactly when
// crs is nil, else after converting the read one to lon/lat with crs
// within tol degrees.
func sameGeometry(got, want orb.Geometry, crs *geo.CRS, tol float64) string {
	got, want = normalise(got), normalise(want)
	if got == nil || want == nil {
		if got == nil && want == nil {
			return ""
		}
		return fmt.Sprintf("geometry %v, want %v", got, want)
	}
	if mp, ok := got.(orb.MultiPoint); ok && len(mp) == 1 {
		if _, ok := want.(orb.Point); ok {
			got = mp[0]
		}
	}
	if got.GeoJSONType() != want.GeoJSONType() {
		return fmt.Sprintf("a %s, want a %s", got.GeoJSONType(), want.GeoJSONType())
	}
	gp, wp := points(got), points(want)
	if len(gp) != len(wp) {
		return fmt.Sprintf("%d points, want %d", len(gp), len(wp))
	}
	for i := range gp {
		p := gp[i]
		if crs != nil {
			p[0], p[1] = crs.ToLonLat(p[0], p[1])
		}
		if math.Abs(p[0]-wp[i][0]) > tol || math.Abs(p[1]-wp[i][1]) > tol {
			return fmt.Sprintf("point %d is %v, want %v", i, p, wp[i])
		}
	}
	// Same points in the same order, and the same ring structure.
	if got.GeoJSONType() == "Polygon" || got.GeoJSONType() == "MultiPolygon" {
		if rs, ws := ringSizes(got), ringSizes(want); fmt.Sprint(rs) != fmt.Sprint(ws) {
			return fmt.Sprintf("rings of %v points, want %v", rs, ws)
		}
	}
	return ""
}

func points(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Point:
		out = append(out, g)
	case orb.MultiPoint:
		out = append(out, g...)
	case orb.LineString:
		out = append(out, g...)
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, l...)
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, points(p)...)
		}
	}
	return out
}

func ringSizes(g orb.Geometry) [][]int {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	out := make([][]int, len(polys))
	for i, p := range polys {
		for _, r := range p {
			out[i] = append(out[i], len(r))
		}
	}
	return out
}

// sameValue compares a .dbf value with its GeoJSON source value (numbers
// as float64; GDAL writes booleans as N(1) 1/0, dates YYYYMMDD).
func sameValue(got, want any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case string:
		s, ok := got.(string)
		return ok && s == w
	case float64:
		switch g := got.(type) {
		case int64:
			return float64(g) == w
		case float64:
			return g == w
		}
	case bool:
		g, ok := got.(int64)
		return ok && (g == 1) == w
	}
	return false
}

// orientationProblem checks RFC 7946 orientation: exteriors
// counter-clockwise, holes clockwise.
func orientationProblem(g orb.Geometry) string {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for i, p := range polys {
		for k, r := range p {
			if a := signedArea(r); (k == 0) != (a > 0) {
				return fmt.Sprintf("polygon %d ring %d has signed area %v", i, k, a)
			}
		}
	}
	return ""
}

// compareLayer checks l feature by feature against the source features.
func compareLayer(t *testing.T, l *Layer, src []*srcFeature, crs *geo.CRS, tol float64) {
	t.Helper()
	if len(l.Features) != len(src) {
		t.Fatalf("%d features, want %d", len(l.Features), len(src))
	}
	for i, f := range l.Features {
		s := src[i]
		if f.Record != i+1 {
			t.Errorf("feature %d: record %d", i, f.Record)
		}
		if f.Problem != nil {
			t.Errorf("record %d: %v", f.Record, f.Problem)
			continue
		}
		if msg := sameGeometry(f.Geometry, s.Geometry, crs, tol); msg != "" {
			t.Errorf("record %d: %s", f.Record, msg)
		}
		if msg := orientationProblem(f.Geometry); msg != "" {
			t.Errorf("record %d: %s", f.Record, msg)
		}
		want := map[string]any(s.Properties)
		if s.ID != nil {
			want = map[string]any{"id": s.ID}
			for k, v := range s.Properties {
				want[k] = v
			}
		}
		for _, p := range f.Properties {
			if _, ok := want[p.Name]; !ok && p.Value != nil {
				t.Errorf("record %d: %s = %#v, not in the source", f.Record, p.Name, p.Value)
			}
		}
		for k, v := range want {
			got, ok := f.Properties.Get(k)
			if !ok || !sameValue(got, v) {
				t.Errorf("record %d: %s = %#v (found %v), want %#v", f.Record, k, got, ok, v)
			}
		}
	}
}

func TestReadGDALWritten(t *testing.T) {
	tests := []struct {
		shp, src  string
		shapeType ShapeType
		epsg      int // the .prj's, recognised
		codePage  string
		project   bool // coordinates projected by GDAL from the lon/lat source
	}{
		{"landuse_utf8", "landuse", Polygon, 4326, "UTF-8", false},
		{"landuse_gbk", "landuse", Polygon, 4490, "GBK", false},
		{"landuse_4547", "landuse", Polygon, 4547, "UTF-8", true},
		{"landuse_4526", "landuse", Polygon, 4526, "UTF-8", true},
		{"landuse_m", "landuse", PolygonM, 4326, "UTF-8", false},
		{"zhuzhou_4547", "zhuzhou", Polygon, 4547, "GBK", false},
		{"infra_utf8", "infra", PolyLine, 4326, "UTF-8", false},
		{"infra_z", "infra", PolyLineZ, 4326, "GBK", false},
		{"stations_utf8", "stations", Point, 4326, "UTF-8", false},
		{"stations_multi", "stations", MultiPoint, 4326, "UTF-8", false},
		{"stations_zm", "stations", PointZ, 4326, "GBK", false},
		{"values_utf8", "values", Point, 4326, "UTF-8", false},
		{"values_gbk", "values", Point, 4326, "GBK", false},
	}
	for _, tt := range tests {
		t.Run(tt.shp, func(t *testing.T) {
			l := mustRead(t, filepath.Join("testdata", tt.shp+".shp"), Options{})
			if l.ShapeType != tt.shapeType {
				t.Errorf("shape type %s, want %s", l.ShapeType, tt.shapeType)
			}
			if l.Projection.CRS == nil || l.Projection.CRS.EPSG != tt.epsg {
				t.Fatalf("projection %+v, want EPSG:%d", l.Projection, tt.epsg)
			}
			if l.CodePage != (CodePage{Name: tt.codePage, Source: FromCPG}) {
				t.Errorf("code page %+v, want %s from the .cpg", l.CodePage, tt.codePage)
			}
			if len(l.Warnings) > 0 {
				t.Errorf("warnings %v", l.Warnings)
			}
			var crs *geo.CRS
			tol := 0.0
			if tt.project {
				// GDAL projected with PROJ, we project back with geo's
				// Krüger series: they agree to micrometres.
				crs, tol = l.Projection.CRS, 1e-9
			}
			compareLayer(t, l, readSource(t, filepath.Join("testdata", "src", tt.src+".geojson")), crs, tol)
		})
	}
}

func TestNullShapes(t *testing.T) {
	l := mustRead(t, filepath.Join("testdata", "values_utf8.shp"), Options{})
	var nulls []int
	for _, f := range l.Features {
		if f.Geometry == nil {
			if f.Problem != nil {
				t.Errorf("record %d: null shape with a problem %v", f.Record, f.Problem)
			}
			nulls = append(nulls, f.Record)
		}
	}
	if fmt.Sprint(nulls) != "[2 4]" {
		t.Errorf("null shapes at records %v, want [2 4]", nulls)
	}
}

func TestValues(t *testing.T) {
	l := mustRead(t, filepath.Join("testdata", "values_gbk.shp"), Options{})
	if got := fmt.Sprint(l.Properties(0)); got != "[code=A1 名称=城镇开发边界 area=1234.5 count=7 approved=2024-03-01 ok=1]" {
		t.Errorf("record 1: %s", got)
	}
	if got := fmt.Sprint(l.Properties(2)); got != "[code=<nil> 名称=<nil> area=<nil> count=<nil> approved=1999-12-31 ok=<nil>]" {
		t.Errorf("record 3: %s", got)
	}
	if v, _ := l.Features[3].Properties.Get("count"); v != int64(2147483647) {
		t.Errorf("count = %#v, want int64", v)
	}
	if v, _ := l.Features[0].Properties.Get("area"); v != 1234.5 {
		t.Errorf("area = %#v, want float64", v)
	}
	want := []Field{{"code", 'C', 80, 0}, {"名称", 'C', 80, 0}, {"area", 'N', 24, 15}, {"count", 'N', 10, 0}, {"approved", 'D', 8, 0}, {"ok", 'N', 1, 0}}
	if fmt.Sprint(l.Fields) != fmt.Sprint(want) {
		t.Errorf("fields %v, want %v", l.Fields, want)
	}
}

// Properties formats record i's values as name=value, for tests.
func (l *Layer) Properties(i int) []string {
	var out []string
	for _, p := range l.Features[i].Properties {
		out = append(out, fmt.Sprintf("%s=%v", p.Name, p.Value))
	}
	return out
}

// copyLayer copies the files of testdata/name.* into a temporary directory
// and returns the new .shp path.
func copyLayer(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	matches, _ := filepath.Glob(filepath.Join("testdata", name+".*"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(m)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name+".shp")
}

func sibling(shp, ext string) string { return strings.TrimSuffix(shp, ".shp") + ext }

func TestCodePage(t *testing.T) {
	t.Run("GBK detected without .cpg", func(t *testing.T) {
		shp := copyLayer(t, "landuse_gbk")
		os.Remove(sibling(shp, ".cpg"))
		l := mustRead(t, shp, Options{})
		if l.CodePage != (CodePage{Name: "GBK", Source: Detected}) {
			t.Errorf("code page %+v", l.CodePage)
		}
		if len(l.Warnings) != 1 || l.Warnings[0].Kind != WarnCodePageDetected || !strings.Contains(l.Warnings[0].Message, "GBK") {
			t.Errorf("warnings %v", l.Warnings)
		}
		compareLayer(t, l, readSource(t, "testdata/src/landuse.geojson"), nil, 0)
	})
	t.Run("UTF-8 detected without .cpg", func(t *testing.T) {
		shp := copyLayer(t, "values_utf8")
		os.Remove(sibling(shp, ".cpg"))
		l := mustRead(t, shp, Options{})
		if l.CodePage != (CodePage{Name: "UTF-8", Source: Detected}) {
			t.Errorf("code page %+v", l.CodePage)
		}
		if len(l.Warnings) != 1 || l.Warnings[0].Kind != WarnCodePageDetected || !strings.Contains(l.Warnings[0].String(), "values_utf8.dbf: no .cpg") {
			t.Errorf("warnings %v", l.Warnings)
		}
	})
	t.Run("ASCII without .cpg needs no warning", func(t *testing.T) {
		dir := t.TempDir()
		shp := writeLayer(t, dir, "a", Point, [][]byte{recordPoint(orb.Point{1, 2})}, "")
		l := mustRead(t, shp, Options{})
		if l.CodePage.Source != Detected || len(l.Warnings) != 0 {
			t.Errorf("code page %+v, warnings %v", l.CodePage, l.Warnings)
		}
	})
	t.Run("cpg names", func(t *testing.T) {
		for _, name := range []string{"utf-8", " UTF8\r\n", "936", "CP936", "gb2312", "ANSI 936", "GB18030", "\uFEFFGBK"} {
			shp := copyLayer(t, "landuse_gbk")
			if strings.Contains(strings.ToUpper(name), "UTF") {
				shp = copyLayer(t, "landuse_utf8")
			}
			os.WriteFile(sibling(shp, ".cpg"), []byte(name), 0o644)
			l := mustRead(t, shp, Options{})
			if l.CodePage.Source != FromCPG || len(l.Warnings) != 0 {
				t.Errorf("%q: %+v %v", name, l.CodePage, l.Warnings)
			}
			compareLayer(t, l, readSource(t, "testdata/src/landuse.geojson"), nil, 0)
		}
	})
	t.Run("unknown cpg", func(t *testing.T) {
		shp := copyLayer(t, "landuse_gbk")
		os.WriteFile(sibling(shp, ".cpg"), []byte("EBCDIC"), 0o644)
		_, err := Read(context.Background(), shp, Options{})
		if !errors.Is(err, ErrCodePage) || !strings.Contains(err.Error(), "landuse_gbk.cpg") || !strings.Contains(err.Error(), `"EBCDIC"`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("option overrides cpg", func(t *testing.T) {
		shp := copyLayer(t, "landuse_gbk")
		os.WriteFile(sibling(shp, ".cpg"), []byte("UTF-8"), 0o644)
		l := mustRead(t, shp, Options{CodePage: "GBK"})
		if l.CodePage != (CodePage{Name: "GBK", Source: FromOption}) {
			t.Errorf("code page %+v", l.CodePage)
		}
		compareLayer(t, l, readSource(t, "testdata/src/landuse.geojson"), nil, 0)
	})
	t.Run("wrong cpg gives a warning, not garbage silently", func(t *testing.T) {
		shp := copyLayer(t, "landuse_gbk")
		os.WriteFile(sibling(shp, ".cpg"), []byte("UTF-8"), 0o644)
		l := mustRead(t, shp, Options{})
		if len(l.Warnings) != 1 || l.Warnings[0].Kind != WarnTextUndecodable || l.Warnings[0].Record != 1 {
			t.Errorf("warnings %v", l.Warnings)
		}
	})
}

func TestDeletedRecords(t *testing.T) {
	shp := copyLayer(t, "values_utf8")
	b, _ := os.ReadFile(sibling(shp, ".dbf"))
	dh, err := parseDBFHeader("x", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []int{1, 3} { // records 2 and 4
		b[dh.headerLen+rec*dh.recordLen] = '*'
	}
	os.WriteFile(sibling(shp, ".dbf"), b, 0o644)
	l := mustRead(t, shp, Options{})
	var recs []int
	for _, f := range l.Features {
		recs = append(recs, f.Record)
	}
	if fmt.Sprint(recs) != "[1 3]" || l.Deleted != 2 || l.Records != 4 {
		t.Errorf("records %v, deleted %d of %d", recs, l.Deleted, l.Records)
	}
	if len(l.Warnings) != 1 || l.Warnings[0].Kind != WarnDeletedRecords || l.Warnings[0].Count != 2 ||
		!strings.Contains(l.Warnings[0].String(), "values_utf8.dbf:record 2: record marked deleted") ||
		!strings.Contains(l.Warnings[0].String(), "(2 records, the first is record 2)") {
		t.Errorf("warnings %v", l.Warnings)
	}
}

func TestSidecarCase(t *testing.T) {
	dir := t.TempDir()
	shp := writeLayer(t, dir, "UPPER", Point, [][]byte{recordPoint(orb.Point{1, 2})}, "")
	for _, ext := range []string{".shp", ".shx", ".dbf"} {
		os.Rename(sibling(shp, ext), sibling(shp, strings.ToUpper(ext)))
	}
	l := mustRead(t, sibling(shp, ".SHP"), Options{})
	if len(l.Features) != 1 {
		t.Errorf("%d features", len(l.Features))
	}
}

func TestStreaming(t *testing.T) {
	r, err := Open(context.Background(), "testdata/stations_utf8.shp", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		f, err := r.Next(context.Background())
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatal(err)
			}
			break
		}
		n++
		if f.Record != n {
			t.Errorf("record %d, want %d", f.Record, n)
		}
	}
	if n != r.Records || n != 20 {
		t.Errorf("%d records read of %d", n, r.Records)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, "testdata/stations_utf8.shp", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
}

func ExampleRead() {
	l, err := Read(context.Background(), "testdata/zhuzhou_4547.shp", Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.ShapeType, len(l.Features), "features,", l.CodePage.Name, "from the .cpg")
	fmt.Println(l.Projection.Name, "=", l.Projection.CRS)
	f := l.Features[0]
	// Coordinates are as in the file; the CRS places them.
	sw := f.Geometry.Bound().Min
	lon, lat := l.Projection.CRS.ToLonLat(sw[0], sw[1])
	fmt.Printf("record %d: a %s, %v, south-west corner %.5f %.5f\n", f.Record, f.Geometry.GeoJSONType(), f.Properties, lon, lat)
	// Output:
	// Polygon 10 features, GBK from the .cpg
	// CGCS2000_3_Degree_GK_CM_114E = EPSG:4547
	// record 1: a MultiPolygon, [{OBJECTID ZZ-0025} {YDDM E2} {YDMC 农林用地}], south-west corner 113.15156 27.75920
}
