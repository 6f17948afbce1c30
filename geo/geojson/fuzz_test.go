package geojson

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/geo"
)

// FuzzReadLayer: whatever the input, DecodeLayer must not panic, and must
// return either an ErrUnreadable error naming the file or a layer in which
// every feature not marked Invalid has a valid geometry (or none), with at
// most one geometry problem per feature.
//
// Run with: go test ./geo -run '^$' -fuzz FuzzReadLayer -fuzztime 60s
// Crashers land in testdata/fuzz/FuzzReadLayer/ and then run as tests.
func FuzzReadLayer(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{
		"testdata/geojsonhint/*/*.geojson",
		"testdata/geojson-validator-chrieke/*/*.geojson",
		"testdata/rfc7946-examples/*.geojson",
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, files...)
	}
	for _, path := range seeds {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
	}
	for i, s := range []string{
		``,
		`{}`,
		`null`,
		`{"type":"FeatureCollection","features":[]}`,
		"\xEF\xBB\xBF{\"type\":\"Point\",\"coordinates\":[112.9,28.2]}",
		"\xFF\xFE{\x00}\x00",
		`{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.3],[113.0,28.2],[112.9,28.3],[112.9,28.2]]]}`,
		`{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.95,28.3],[112.95,28.35],[112.95,28.3],[112.9,28.3],[112.9,28.2]]]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[20,20],[21,20],[21,21],[20,20]]],[[[5,5],[15,5],[15,15],[5,15],[5,5]]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[1,1],[1,9],[9,9],[9,1],[1,1]],[[2,2],[2,3],[3,3],[3,2],[2,2]]]}`,
		`{"type":"Polygon","coordinates":[[[1e-320,0],[2e-320,1e-320],[0,1e-320],[1e-320,0]]]}`,
		`{"type":"Polygon","coordinates":[[[179.99999999999997,89.99999999999999],[-180,-90],[180,-90],[179.99999999999997,89.99999999999999]]]}`,
		`{"type":"Point","coordinates":[1e400,0]}`,
		`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[390000,3120000],[400000,3120000],[400000,3130000],[390000,3130000],[390000,3120000]]]}}]}`,
		`{"type":"GeometryCollection","geometries":[{"type":"GeometryCollection","geometries":[]}]}`,
		// Empty geometries of every type, and null: each is reported, never
		// dropped (issue 18).
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"MultiLineString","coordinates":[]}},{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[]}},{"type":"Feature","properties":{},"geometry":{"type":"MultiPoint","coordinates":[]}},{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}},{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[]}},{"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[]}},{"type":"Feature","properties":{},"geometry":null}]}`,
		`{"type":"MultiPolygon","coordinates":[[]]}`,
		`{"type":"MultiLineString","coordinates":[[]]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[0,0]]}}]} trailing`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(s), uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := geo.ReadOptions{}
		if mode&1 != 0 {
			opts.GeometryTypes = []string{"Polygon", "MultiPolygon"}
			opts.LayerKind = "land-use"
		}
		if mode&2 != 0 {
			c, err := geo.ParseCRS("EPSG:4547")
			if err != nil {
				t.Fatal(err)
			}
			opts.CRS = &c
		}
		if mode&4 != 0 {
			opts.MaxVertices = 8
		}
		// The one-walk reader of common features must not change what
		// the general parser reads, errors included.
		compareParsers(t, data, opts)
		l, err := DecodeLayer(context.Background(), bytes.NewReader(data), "fuzz.geojson", opts)
		if err != nil {
			if l != nil {
				t.Errorf("both a layer and an error: %v", err)
			}
			if !errors.Is(err, ErrUnreadable) {
				t.Errorf("error %v does not wrap ErrUnreadable", err)
			}
			if !strings.HasPrefix(err.Error(), "geo: fuzz.geojson: ") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		for _, p := range l.Problems {
			if strings.TrimSpace(p.Message) == "" {
				t.Errorf("empty message in %+v", p)
			}
		}
		checkLayerInvariants(t, l)

		// The typed path (properties read from the member list, as
		// planning does) must see the same properties and problems.
		opts.Attributes = func(p geo.Properties) any {
			m := map[string]any{}
			for _, name := range p.Names() {
				v, ok := p.Get(name)
				if !ok {
					t.Errorf("Get(%q) found nothing for a member", name)
				}
				m[name] = v
			}
			return m
		}
		typed, err := DecodeLayer(context.Background(), bytes.NewReader(data), "fuzz.geojson", opts)
		if err != nil {
			t.Fatalf("typed path fails where the map path reads: %v", err)
		}
		if !reflect.DeepEqual(typed.Problems, l.Problems) {
			t.Errorf("typed path problems %v, map path %v", typed.Problems, l.Problems)
		}
		for i := range l.Features {
			want := l.Features[i].Properties
			got, _ := typed.Features[i].Attributes.(map[string]any)
			if len(want) == 0 && len(got) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("feature %d: typed path properties %v, map path %v", i, got, want)
			}
		}
	})
}
