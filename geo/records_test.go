package geo

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// TestBuildLayerJudgesAsGeoJSON: records built into a layer get exactly the
// problems, geometries and properties the same features get when read as
// GeoJSON text, whatever is wrong with them; only where they point differs
// (a record number instead of a line).
func TestBuildLayerJudgesAsGeoJSON(t *testing.T) {
	square := orb.Polygon{{{112.9, 28.2}, {112.91, 28.2}, {112.91, 28.21}, {112.9, 28.21}, {112.9, 28.2}}}
	bowtie := orb.Polygon{{{112.9, 28.2}, {112.91, 28.21}, {112.91, 28.2}, {112.9, 28.21}, {112.9, 28.2}}}
	unclosed := orb.Polygon{{{112.9, 28.2}, {112.91, 28.2}, {112.91, 28.21}, {112.9, 28.21}}}
	long := make(orb.LineString, 30)
	for i := range long {
		long[i] = orb.Point{112.9 + float64(i)*1e-3, 28.2}
	}
	props := []Property{{"id", "CS-1"}, {"class", "R2"}, {"名称", "居住用地\"甲\"\n"}, {"n", int64(7)}, {"x", 0.1}, {"ok", true}, {"none", nil}}
	records := []Record{
		{Number: 3, Geometry: square, Properties: props},
		{Number: 4, Geometry: bowtie, Properties: props[:2]},
		{Number: 5, Geometry: unclosed},
		{Number: 6, Geometry: orb.MultiPolygon{}},
		{Number: 7},
		{Number: 9, Geometry: orb.Point{200, 28}},
		{Number: 10, Geometry: long},
		{Number: 11, Geometry: orb.Collection{orb.Point{112.9, 28.2}}},
	}
	var text strings.Builder
	text.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, r := range records {
		if i > 0 {
			text.WriteString(",")
		}
		m := map[string]any{}
		for _, p := range r.Properties {
			m[p.Name] = p.Value
		}
		pj, _ := json.Marshal(m)
		var g bytes.Buffer
		if err := AppendGeoJSON(&g, r.Geometry, func(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'g', -1, 64) }); err != nil {
			t.Fatal(err)
		}
		text.WriteString("\n{\"type\":\"Feature\",\"properties\":" + string(pj) + ",\"geometry\":" + g.String() + "}")
	}
	text.WriteString("]}")
	opts := ReadOptions{MaxVertices: 20, GeometryTypes: []string{"Polygon", "MultiPolygon", "Point", "LineString"}, LayerKind: "test"}
	want, err := DecodeLayer(context.Background(), strings.NewReader(text.String()), "x.geojson", opts)
	if err != nil {
		t.Fatal(err)
	}
	copied := make([]Record, len(records))
	for i, r := range records {
		copied[i] = r
		copied[i].Geometry = orb.Clone(r.Geometry)
	}
	got, err := BuildLayer(context.Background(), "x.shp", len(copied), func(i int) Record { return copied[i] }, opts)
	if err != nil {
		t.Fatal(err)
	}
	problems := func(l *Layer) []string {
		var out []string
		for _, p := range l.Problems {
			out = append(out, strconv.Itoa(int(p.Kind))+" "+strconv.Itoa(p.Feature)+" "+p.Message)
		}
		return out
	}
	if g, w := problems(got), problems(want); !reflect.DeepEqual(g, w) {
		t.Errorf("problems differ:\n got %q\nwant %q", g, w)
	}
	if len(want.Problems) < 6 {
		t.Errorf("the cases give only %d problems: %q", len(want.Problems), problems(want))
	}
	for i := range want.Features {
		w, g := want.Features[i], got.Features[i]
		if g.Line != records[i].Number {
			t.Errorf("feature %d points at %d, want record %d", i, g.Line, records[i].Number)
		}
		if !reflect.DeepEqual(g.Properties, w.Properties) || g.Invalid != w.Invalid || !orb.Equal(orEmpty(g.Geometry), orEmpty(w.Geometry)) {
			t.Errorf("feature %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	for _, p := range got.Problems {
		if p.Feature >= 0 && p.Line != records[p.Feature].Number {
			t.Errorf("problem %q points at %d, want record %d", p.Message, p.Line, records[p.Feature].Number)
		}
	}
}

func orEmpty(g orb.Geometry) orb.Geometry {
	if g == nil {
		return orb.Collection{}
	}
	return g
}

// A geometry the source could not decode is that feature's geometry
// problem; the others are read.
func TestBuildLayerSourceProblem(t *testing.T) {
	recs := []Record{{Number: 1, Problem: "ring 1 is not closed"}, {Number: 2, Geometry: orb.Point{112.9, 28.2}}}
	l, err := BuildLayer(context.Background(), "x.shp", 2, func(i int) Record { return recs[i] }, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 1 || l.Problems[0].Kind != ProblemGeometry || l.Problems[0].Line != 1 || !l.Features[0].Invalid || l.Features[1].Invalid {
		t.Errorf("problems %+v, features %+v", l.Problems, l.Features)
	}
}

// Every value a reader may hand over is written as JSON that reads back
// as the value (a number JSON cannot hold, as its text).
func TestAppendJSONValue(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want any
	}{
		{nil, nil}, {"a\"b\\c\n\x01\t", "a\"b\\c\n\x01\t"}, {int64(-3), -3.0}, {1.5, 1.5}, {math.NaN(), "NaN"},
		{math.Inf(-1), "-Inf"}, {true, true}, {"长沙", "长沙"}, {"\xff", "\ufffd"}, {int32(4), "4"},
	} {
		got := appendJSONValue(nil, tc.v)
		var back any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%#v → %s: not JSON: %v", tc.v, got, err)
			continue
		}
		if back != tc.want {
			t.Errorf("%#v → %s reads back as %#v, want %#v", tc.v, got, back, tc.want)
		}
	}
}
