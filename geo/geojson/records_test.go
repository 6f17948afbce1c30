package geojson

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/plancheck/plancheck/geo"
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
	props := []geo.Property{{Name: "id", Value: "CS-1"}, {Name: "class", Value: "R2"}, {Name: "名称", Value: "居住用地\"甲\"\n"}, {Name: "n", Value: int64(7)}, {Name: "x", Value: 0.1}, {Name: "ok", Value: true}, {Name: "none", Value: nil}}
	records := []geo.Record{
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
		if err := geo.AppendGeoJSON(&g, r.Geometry, func(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'g', -1, 64) }); err != nil {
			t.Fatal(err)
		}
		text.WriteString("\n{\"type\":\"Feature\",\"properties\":" + string(pj) + ",\"geometry\":" + g.String() + "}")
	}
	text.WriteString("]}")
	opts := geo.ReadOptions{MaxVertices: 20, GeometryTypes: []string{"Polygon", "MultiPolygon", "Point", "LineString"}, LayerKind: "test"}
	want, err := DecodeLayer(context.Background(), strings.NewReader(text.String()), "x.geojson", opts)
	if err != nil {
		t.Fatal(err)
	}
	copied := make([]geo.Record, len(records))
	for i, r := range records {
		copied[i] = r
		copied[i].Geometry = orb.Clone(r.Geometry)
	}
	got, err := geo.BuildLayer(context.Background(), "x.shp", len(copied), func(i int) geo.Record { return copied[i] }, opts)
	if err != nil {
		t.Fatal(err)
	}
	problems := func(l *geo.Layer) []string {
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
