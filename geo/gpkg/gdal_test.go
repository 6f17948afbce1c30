package gpkg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// needOGR2OGR skips the test when GDAL's ogr2ogr is absent, except in CI
// (CI=true), where GDAL is the reference and its absence a failure.
func needOGR2OGR(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("ogr2ogr not installed; CI needs it (apt-get install gdal-bin)")
		}
		tb.Skip("ogr2ogr not installed (apt-get install gdal-bin)")
	}
}

// ogr2ogr runs GDAL's converter.
func ogr2ogr(tb testing.TB, args ...string) {
	tb.Helper()
	needOGR2OGR(tb)
	if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
		tb.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// toGPKG converts a GeoJSON file to a GeoPackage in a temporary directory.
func toGPKG(tb testing.TB, src string, args ...string) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), strings.TrimSuffix(filepath.Base(src), ".geojson")+".gpkg")
	ogr2ogr(tb, append([]string{"-f", "GPKG", out, src}, args...)...)
	return out
}

// srcFeature is a GeoJSON feature decoded with encoding/json (numbers as
// json.Number) and its geometry with orb/geojson: the reference Read is
// compared with.
type srcFeature struct {
	ID         any                        `json:"id"`
	Properties map[string]any             `json:"properties"`
	Geometry   json.RawMessage            `json:"geometry"`
	Keys       []string                   `json:"-"` // property names in file order
	Geom       orb.Geometry               `json:"-"`
	Raw        map[string]json.RawMessage `json:"-"`
}

func readSource(tb testing.TB, path string) []srcFeature {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		tb.Fatal(err)
	}
	out := make([]srcFeature, len(fc.Features))
	for i, raw := range fc.Features {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		f := &out[i]
		if err := d.Decode(f); err != nil {
			tb.Fatal(err)
		}
		f.Keys = propertyOrder(tb, raw)
		if len(f.Geometry) > 0 && string(f.Geometry) != "null" {
			g, err := decodeGeometry(f.Geometry)
			if err != nil {
				tb.Fatalf("%s feature %d: %v", path, i, err)
			}
			f.Geom = g
		}
	}
	return out
}

// decodeGeometry decodes a GeoJSON geometry with encoding/json (its
// float parsing is exact) into orb; orb/geojson needs a module plancheck
// does not require.
func decodeGeometry(raw []byte) (orb.Geometry, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	ring := func(c [][]float64) []orb.Point {
		out := make([]orb.Point, len(c))
		for i, p := range c {
			out[i] = orb.Point{p[0], p[1]}
		}
		return out
	}
	poly := func(c [][][]float64) orb.Polygon {
		out := make(orb.Polygon, len(c))
		for i, r := range c {
			out[i] = ring(r)
		}
		return out
	}
	var err error
	switch g.Type {
	case "Point":
		var c []float64
		err = json.Unmarshal(g.Coordinates, &c)
		return orb.Point{c[0], c[1]}, err
	case "MultiPoint":
		var c [][]float64
		err = json.Unmarshal(g.Coordinates, &c)
		return orb.MultiPoint(ring(c)), err
	case "LineString":
		var c [][]float64
		err = json.Unmarshal(g.Coordinates, &c)
		return orb.LineString(ring(c)), err
	case "MultiLineString":
		var c [][][]float64
		err = json.Unmarshal(g.Coordinates, &c)
		out := make(orb.MultiLineString, len(c))
		for i, l := range c {
			out[i] = ring(l)
		}
		return out, err
	case "Polygon":
		var c [][][]float64
		err = json.Unmarshal(g.Coordinates, &c)
		return poly(c), err
	case "MultiPolygon":
		var c [][][][]float64
		err = json.Unmarshal(g.Coordinates, &c)
		out := make(orb.MultiPolygon, len(c))
		for i, p := range c {
			out[i] = poly(p)
		}
		return out, err
	}
	return nil, errors.New("unsupported geometry type " + g.Type)
}

// propertyOrder lists a feature's property names in file order.
func propertyOrder(tb testing.TB, feature []byte) []string {
	tb.Helper()
	var f struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(feature, &f); err != nil || len(f.Properties) == 0 || string(f.Properties) == "null" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(f.Properties))
	var keys []string
	d.Token() // {
	for d.More() {
		k, err := d.Token()
		if err != nil {
			tb.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			tb.Fatal(err)
		}
	}
	return keys
}

// wantValue is the value Read gives for a GeoJSON property value GDAL
// stored in a column of its own choosing (integers as INTEGER, decimals
// as REAL, text as TEXT).
func wantValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	}
	return v
}

// TestGDALFixtures converts every layer of fixtures/czt to a GeoPackage
// with ogr2ogr and compares Read's features with the GeoJSON source, one
// by one: the string id (GDAL keeps it as an "id" column; the fid counts
// the features in file order), every property with its Chinese text, and
// every coordinate exactly. qa-invalid's unclosed rings are included:
// GDAL stores them as they are, and so does Read.
func TestGDALFixtures(t *testing.T) {
	needOGR2OGR(t)
	layers, _ := filepath.Glob("../../fixtures/czt/layers/*.geojson")
	if len(layers) == 0 {
		t.Fatal("no fixture layers")
	}
	for _, src := range layers {
		name := strings.TrimSuffix(filepath.Base(src), ".geojson")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := readSource(t, src)
			path := toGPKG(t, src)
			tables, err := Tables(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tables, []string{name}) {
				t.Fatalf("Tables = %q, want [%q]", tables, name)
			}
			l, err := Read(context.Background(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if l.Table != name || l.GeometryColumn != "geom" || l.SRSID != 4326 || l.EPSG != 4326 {
				t.Errorf("layer %q column %q srs_id %d EPSG %d, want %q geom 4326 4326", l.Table, l.GeometryColumn, l.SRSID, l.EPSG, name)
			}
			if !strings.Contains(l.SRSDefinition, "WGS 84") {
				t.Errorf("SRS definition %.80q does not name WGS 84", l.SRSDefinition)
			}
			if len(l.Warnings) > 0 {
				t.Errorf("warnings: %q", l.Warnings)
			}
			if len(l.Features) != len(want) {
				t.Fatalf("%d features, want %d", len(l.Features), len(want))
			}
			for i, f := range l.Features {
				w := want[i]
				if f.FID != int64(i+1) {
					t.Errorf("feature %d: fid %d, want %d (file order)", i, f.FID, i+1)
				}
				if f.Problem != nil {
					t.Errorf("fid %d: %v", f.FID, f.Problem)
					continue
				}
				got := map[string]any{}
				var order []string
				for _, p := range f.Properties {
					if p.Value != nil {
						got[p.Name] = p.Value
						order = append(order, p.Name)
					}
				}
				wantProps := map[string]any{}
				var wantOrder []string
				if id, ok := w.ID.(string); ok {
					wantProps["id"] = id
					wantOrder = append(wantOrder, "id")
				}
				for _, k := range w.Keys {
					if w.Properties[k] != nil {
						wantProps[k] = wantValue(w.Properties[k])
						wantOrder = append(wantOrder, k)
					}
				}
				if !reflect.DeepEqual(got, wantProps) {
					t.Errorf("fid %d: properties\n got %v\nwant %v", f.FID, got, wantProps)
				}
				if !reflect.DeepEqual(order, wantOrder) {
					t.Errorf("fid %d: property order %q, want %q", f.FID, order, wantOrder)
				}
				if !reflect.DeepEqual(f.Geometry, w.Geom) {
					t.Errorf("fid %d (%v): geometry\n got %v\nwant %v", f.FID, w.ID, f.Geometry, w.Geom)
				}
			}
		})
	}
}

// TestGDALAssignedSRS: a layer ogr2ogr tags as CGCS2000 / 3-degree
// Gauss–Krüger CM 114E (what zhuzhou-master's coordinates are) reads as
// EPSG 4547 with its metres as stored.
func TestGDALAssignedSRS(t *testing.T) {
	src := "../../fixtures/czt/layers/zhuzhou-master.geojson"
	path := toGPKG(t, src, "-a_srs", "EPSG:4547")
	l, err := Read(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l.EPSG != 4547 || l.SRSID != 4547 {
		t.Errorf("srs_id %d EPSG %d, want 4547 4547", l.SRSID, l.EPSG)
	}
	if !strings.Contains(l.SRSName, "CGCS2000") {
		t.Errorf("SRS name %q does not name CGCS2000", l.SRSName)
	}
	want := readSource(t, src)
	for i, f := range l.Features {
		if !reflect.DeepEqual(f.Geometry, want[i].Geom) {
			t.Fatalf("fid %d: geometry changed", f.FID)
		}
	}
}

// TestGDALChineseColumns: Chinese column names and values, a Chinese
// table name, a NULL and an empty geometry, a boolean, a date and a
// datetime, as GDAL writes them.
func TestGDALChineseColumns(t *testing.T) {
	needOGR2OGR(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "用地规划.geojson")
	const doc = `{"type":"FeatureCollection","name":"用地规划","features":[
{"type":"Feature","properties":{"用地代码":"0701","用地名称":"城镇住宅用地","面积":1234.5,"层数":6,"已批":true,"批准日期":"2021-03-04","更新时间":"2021-03-04T05:06:07Z"},
 "geometry":{"type":"Polygon","coordinates":[[[112.9,28.1],[112.91,28.1],[112.91,28.11],[112.9,28.1]]]}},
{"type":"Feature","properties":{"用地代码":"1207","用地名称":null,"面积":0.25,"层数":null,"已批":false,"批准日期":null,"更新时间":null},"geometry":null},
{"type":"Feature","properties":{"用地代码":"0801","用地名称":"机关团体用地","面积":1,"层数":2,"已批":false,"批准日期":"2020-12-31","更新时间":"2020-12-31T23:59:59.5Z"},
 "geometry":{"type":"MultiPolygon","coordinates":[]}}
]}`
	if err := os.WriteFile(src, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	path := toGPKG(t, src)
	l, err := Read(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Table != "用地规划" {
		t.Errorf("table %q", l.Table)
	}
	wantCols := []string{"用地代码", "用地名称", "面积", "层数", "已批", "批准日期", "更新时间"}
	if !reflect.DeepEqual(l.Columns, wantCols) {
		t.Errorf("columns %q, want %q", l.Columns, wantCols)
	}
	props := func(vals ...any) []Property {
		out := make([]Property, len(vals))
		for i, v := range vals {
			out[i] = Property{Name: wantCols[i], Value: v}
		}
		return out
	}
	want := []Feature{
		{FID: 1, Geometry: orb.Polygon{{{112.9, 28.1}, {112.91, 28.1}, {112.91, 28.11}, {112.9, 28.1}}},
			Properties: props("0701", "城镇住宅用地", 1234.5, int64(6), true, "2021-03-04", "2021-03-04T05:06:07.000Z")}, // GDAL writes milliseconds
		{FID: 2, Properties: props("1207", nil, 0.25, nil, false, nil, nil)},
		{FID: 3, Geometry: orb.MultiPolygon{}, Properties: props("0801", "机关团体用地", 1.0, int64(2), false, "2020-12-31", "2020-12-31T23:59:59.500Z")},
	}
	if !reflect.DeepEqual(l.Features, want) {
		t.Errorf("features\n got %#v\nwant %#v", l.Features, want)
	}
}

// TestGDALTables: a file with several feature tables is read only with a
// table named; the error lists them, and an unknown table is named.
func TestGDALTables(t *testing.T) {
	needOGR2OGR(t)
	path := filepath.Join(t.TempDir(), "czt.gpkg")
	ogr2ogr(t, "-f", "GPKG", path, "../../fixtures/czt/layers/districts.geojson")
	ogr2ogr(t, "-update", "-f", "GPKG", path, "../../fixtures/czt/layers/cities.geojson")
	ctx := context.Background()
	tables, err := Tables(ctx, path)
	if err != nil || !reflect.DeepEqual(tables, []string{"cities", "districts"}) {
		t.Fatalf("Tables = %q, %v", tables, err)
	}
	_, err = Read(ctx, path, Options{})
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), `"cities", "districts"`) || !strings.Contains(err.Error(), path) {
		t.Errorf("no table named: %v", err)
	}
	_, err = Read(ctx, path, Options{Table: "zoning"})
	if !errors.Is(err, ErrNoTable) || !strings.Contains(err.Error(), "table zoning") || !strings.Contains(err.Error(), `"cities", "districts"`) {
		t.Errorf("unknown table: %v", err)
	}
	l, err := Read(ctx, path, Options{Table: "Cities"})
	if err != nil || l.Table != "cities" || len(l.Features) != 3 {
		t.Errorf("Read cities: %v", err)
	}
}
