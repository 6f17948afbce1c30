package geojson

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/geo"
)

// propertiesAsMap is a ReadOptions.Attributes that keeps every property,
// so the two parsers' typed properties can be compared.
func propertiesAsMap(p geo.Properties) any {
	m := map[string]any{}
	for _, name := range p.Names() {
		v, _ := p.Get(name)
		m[name] = v
	}
	return m
}

// fastFeatureCases are features fastFeature must read (accept) or leave to
// the general parser (decline); either way the layer must come out as the
// general parser reads it.
var fastFeatureCases = []struct {
	name, feature string
	accept        bool
}{
	{"parcel", `{"type":"Feature","properties":{"id":"CM-0000001","class":"R2"},"geometry":{"type":"Polygon","coordinates":[[[112.8854122,28.0927195],[112.8856085,28.0927607],[112.8857674,28.0927659],[112.8854122,28.0927195]]]}}`, true},
	{"spaces and newlines", "{ \"type\" : \"Feature\" ,\n \"id\" : 7 , \"properties\" : { \"a\" : 1.5e3 , \"b\" : true, \"c\": null, \"d\": false } ,\r\n\t\"geometry\" : { \"type\" : \"Polygon\" , \"coordinates\" : [ [ [ 0 , 0 ] , [ 1 , 0 ] , [ 1 , 1 ] , [ 0 , 0 ] ] ] } }", true},
	{"members in another order", `{"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{},"id":"x","type":"Feature"}`, true},
	{"escaped and unicode properties", `{"type":"Feature","properties":{"名称":"长沙\"绿心\"","e\u0041":"\u957f\/\\\n"},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}`, true},
	{"altitude, exponents, long literals, negative zero", `{"type":"Feature","properties":null,"geometry":{"type":"MultiPoint","coordinates":[[1e2,2E-3,400],[-0,0.1234567890123456789],[12345678901234567890,1.0],[-0.0,1e-400]]}}`, true},
	{"multipolygon with a hole", `{"type":"Feature","properties":{"n":-12},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[1,1],[1,2],[2,2],[1,1]]],[[[20,20],[21,20],[21,21],[20,20]]]]}}`, true},
	{"multilinestring", `{"type":"Feature","properties":{},"geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3],[4,4]]]}}`, true},
	{"null geometry", `{"type":"Feature","properties":{},"geometry":null}`, true},
	{"unclosed ring is the general parser's to explain", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}`, true},
	{"bbox", `{"type":"Feature","bbox":[0,0,1,1],"properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}`, false},
	{"coordinates before type (sorted keys)", `{"geometry":{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"},"properties":{"a":1},"type":"Feature"}`, true},
	{"coordinates before type, spaced", "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{ \"coordinates\" : [ 0 , 0 ] , \"type\" : \"Point\" }}", true},
	{"coordinates before a wrong type", `{"type":"Feature","properties":{},"geometry":{"coordinates":[0,0],"type":"Polygon"}}`, false},
	{"coordinates before an unknown type", `{"type":"Feature","properties":{},"geometry":{"coordinates":[0,0],"type":"Dot"}}`, false},
	{"coordinates not an array, before type", `{"type":"Feature","properties":{},"geometry":{"coordinates":{},"type":"Point"}}`, false},
	{"coordinates and type and more", `{"type":"Feature","properties":{},"geometry":{"coordinates":[0,0],"type":"Point","bbox":[0,0,0,0]}}`, false},
	{"unbalanced coordinates before type", `{"type":"Feature","properties":{},"geometry":{"coordinates":[0,0]],"type":"Point"}}`, false},
	{"duplicate member", `{"type":"Feature","properties":{},"properties":{},"geometry":null}`, false},
	{"missing properties", `{"type":"Feature","geometry":null}`, false},
	{"nested properties", `{"type":"Feature","properties":{"a":{"b":1}},"geometry":null}`, false},
	{"escaped id", `{"type":"Feature","id":"a\"b","properties":{},"geometry":null}`, false},
	{"empty ring", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[]]}}`, false},
	{"one number", `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1]}}`, false},
	{"NaN", `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[NaN,1]}}`, false},
	{"leading zero", `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[01,1]}}`, false},
	{"bad escape in a property", `{"type":"Feature","properties":{"a":"\x"},"geometry":null}`, false},
	{"control character in a property", "{\"type\":\"Feature\",\"properties\":{\"a\":\"\t\"},\"geometry\":null}", false},
	{"GBK bytes", "{\"type\":\"Feature\",\"properties\":{\"name\":\"\xb3\xa4\xc9\xb3\"},\"geometry\":null}", false},
	{"wrong type", `{"type":"feature","properties":{},"geometry":null}`, false},
	{"geometry collection", `{"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[]}}`, false},
	{"boolean geometry", `{"type":"Feature","properties":{},"geometry":true}`, false},
	{"trailing garbage in a value", `{"type":"Feature","properties":{"a":truex},"geometry":null}`, false},
	{"huge exponent", `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e999,0]}}`, false},
}

func TestFastFeatureAgreesWithGeneralParser(t *testing.T) {
	for _, tc := range fastFeatureCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, typed := range []bool{false, true} {
				d := &decoder{opts: geo.ReadOptions{MaxVertices: geo.DefaultMaxVertices}}
				if typed {
					d.opts.Attributes = propertiesAsMap
				}
				_, ok := d.fastFeature(0, 1, []byte(tc.feature), nil, new(featureScratch))
				if ok != tc.accept {
					t.Fatalf("fastFeature accepted = %v, want %v", ok, tc.accept)
				}
				compareFeature(t, []byte(tc.feature), d.opts)
			}
		})
	}
}

// TestFastFeatureMaxVertices: a feature over the vertex limit is left to
// the general parser, which reports it.
func TestFastFeatureMaxVertices(t *testing.T) {
	feature := []byte(fastFeatureCases[0].feature)
	d := &decoder{opts: geo.ReadOptions{MaxVertices: 3}}
	if _, ok := d.fastFeature(0, 1, feature, nil, new(featureScratch)); ok {
		t.Fatal("fastFeature accepted a feature over the vertex limit")
	}
	d.opts.MaxVertices = 4
	if _, ok := d.fastFeature(0, 1, feature, nil, new(featureScratch)); !ok {
		t.Fatal("fastFeature declined a feature at the vertex limit")
	}
}

// compareFeature reads one feature with both parsers, in a one-feature
// collection, and fails when the layers differ.
func compareFeature(t *testing.T, feature []byte, opts geo.ReadOptions) {
	t.Helper()
	data := append(append([]byte(`{"type":"FeatureCollection","features":[`), feature...), "]}"...)
	compareParsers(t, data, opts)
}

// compareParsers reads data with and without fastFeature and fails when
// the outcomes differ in any way.
func compareParsers(t *testing.T, data []byte, opts geo.ReadOptions) {
	t.Helper()
	fast, fastErr := decodeLayer(context.Background(), bytes.NewReader(data), "f.geojson", opts, false)
	general, generalErr := decodeLayer(context.Background(), bytes.NewReader(data), "f.geojson", opts, true)
	if (fastErr == nil) != (generalErr == nil) || (fastErr != nil && fastErr.Error() != generalErr.Error()) {
		t.Fatalf("errors differ: with fastFeature %v, general parser %v", fastErr, generalErr)
	}
	if !reflect.DeepEqual(fast, general) {
		t.Fatalf("layers differ:\nwith fastFeature %+v\ngeneral parser   %+v", fast, general)
	}
}

// TestFastFeatureOnFixtures reads every bundled layer and test file both
// ways.
func TestFastFeatureOnFixtures(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../fixtures/czt/layers/*.geojson", "testdata/*/*.geojson", "testdata/*/*/*.geojson"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimPrefix(f, "../"), func(t *testing.T) {
			compareParsers(t, data, geo.ReadOptions{})
			compareParsers(t, data, geo.ReadOptions{Attributes: propertiesAsMap, GeometryTypes: []string{"Polygon", "MultiPolygon"}, LayerKind: "land-use"})
		})
	}
}

// FuzzFastFeature: for any feature text, reading with fastFeature gives
// what the general parser gives.
//
// Run with: go test ./geo -run '^$' -fuzz FuzzFastFeature -fuzztime 60s
func FuzzFastFeature(f *testing.F) {
	for _, tc := range fastFeatureCases {
		f.Add([]byte(tc.feature), uint8(0))
		f.Add([]byte(tc.feature), uint8(1))
	}
	f.Fuzz(func(t *testing.T, feature []byte, mode uint8) {
		opts := geo.ReadOptions{}
		if mode&1 != 0 {
			opts.Attributes = propertiesAsMap
		}
		if mode&2 != 0 {
			opts.MaxVertices = 4
		}
		compareFeature(t, feature, opts)
	})
}
