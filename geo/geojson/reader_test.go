package geojson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/paulmach/orb"

	"github.com/plancheck/plancheck/geo"
)

// decodeString runs DecodeLayer on src with the name "test.geojson".
func decodeString(tb testing.TB, src string, opts geo.ReadOptions) (*geo.Layer, error) {
	tb.Helper()
	return DecodeLayer(context.Background(), strings.NewReader(src), "test.geojson", opts)
}

func mustDecode(tb testing.TB, src string, opts geo.ReadOptions) *geo.Layer {
	tb.Helper()
	l, err := decodeString(tb, src, opts)
	if err != nil {
		tb.Fatalf("DecodeLayer: %v", err)
	}
	checkLayerInvariants(tb, l)
	return l
}

// problemsOf returns the problems of kind k for feature i (-1: the layer).
func problemsOf(l *geo.Layer, k geo.ProblemKind, i int) []geo.Problem {
	var out []geo.Problem
	for _, p := range l.Problems {
		if p.Kind == k && p.Feature == i {
			out = append(out, p)
		}
	}
	return out
}

// checkEqual fails unless got prints as want. (The fixes these tests
// once waited for have landed: the old wrong answers are no longer
// accepted.)
func checkEqual(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if g := fmt.Sprint(got); g != fmt.Sprint(want) {
		tb.Errorf("%s %s, want %v", what, g, want)
	}
}

func TestDecodeLayerLines(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		lines []int
	}{
		{
			name: "one feature per line",
			src: `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}},
{"type":"Feature","id":"b","properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}},

{"type":"Feature","id":"c","properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}
]}`,
			lines: []int{2, 3, 5},
		},
		{
			name: "pretty-printed",
			src: `{
  "type": "FeatureCollection",
  "features": [
    {
      "type": "Feature",
      "id": "a",
      "properties": {},
      "geometry": {"type": "Point", "coordinates": [112.9, 28.2]}
    },
    {
      "type": "Feature",
      "id": "b",
      "properties": {},
      "geometry": {
        "type": "Point",
        "coordinates": [112.9, 28.2]
      }
    }
  ]
}`,
			lines: []int{4, 10},
		},
		{
			name:  "several features on one line",
			src:   `{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":null}, {"type":"Feature","properties":null,"geometry":null}]}`,
			lines: []int{1, 1},
		},
		{
			name: "a single Feature",
			src: `

{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}`,
			lines: []int{3},
		},
		{
			name: "a bare geometry",
			src: `
{"type":"Point","coordinates":[112.9,28.2]}`,
			lines: []int{2},
		},
		{
			name: "crs member after the features",
			src: `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}},
{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}
],
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}`,
			lines: []int{2, 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := mustDecode(t, tc.src, geo.ReadOptions{})
			var got []int
			for _, f := range l.Features {
				got = append(got, f.Line)
			}
			checkEqual(t, "lines", got, tc.lines)
		})
	}
}

func TestDecodeLayerIDs(t *testing.T) {
	tests := []struct {
		name  string
		id    string // the "id" member's JSON, "" for none
		want  string
		hasID bool
	}{
		{"string", `"Z-12"`, "Z-12", true},
		{"empty string", `""`, "", true},
		{"integer", `12`, "12", true},
		{"number kept as written", `1.50`, "1.50", true},
		{"large integer not rounded", `9007199254740993`, "9007199254740993", true},
		{"absent", ``, "", false},
		{"null", `null`, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := ""
			if tc.id != "" {
				id = `"id":` + tc.id + `,`
			}
			l := mustDecode(t, `{"type":"Feature",`+id+`"properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}`, geo.ReadOptions{})
			f := l.Features[0]
			if f.ID != tc.want || f.HasID != tc.hasID {
				t.Errorf("ID %q HasID %v, want %q %v", f.ID, f.HasID, tc.want, tc.hasID)
			}
			if len(l.Problems) != 0 {
				t.Errorf("problems %v", l.Problems)
			}
		})
	}
	t.Run("object id is a feature problem", func(t *testing.T) {
		l := mustDecode(t, `{"type":"Feature","id":{"a":1},"properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}`, geo.ReadOptions{})
		ps := problemsOf(l, geo.ProblemFeature, 0)
		if len(ps) != 1 || !strings.Contains(ps[0].Message, `"id" is {"a":1}`) {
			t.Errorf("problems %+v", l.Problems)
		}
		if l.Features[0].Invalid || l.Features[0].Geometry == nil {
			t.Errorf("a bad id must not invalidate the geometry")
		}
	})
}

func TestDecodeLayerPropertiesUseNumber(t *testing.T) {
	l := mustDecode(t, `{"type":"Feature","properties":{
		"code":"07","area":12.50,"year":2035,"big":12345678901234567890,
		"nested":{"w":30},"list":[1,2],"ok":true,"none":null},
		"geometry":null}`, geo.ReadOptions{})
	p := l.Features[0].Properties
	want := map[string]any{
		"code":   "07",
		"area":   json.Number("12.50"),
		"year":   json.Number("2035"),
		"big":    json.Number("12345678901234567890"),
		"nested": map[string]any{"w": json.Number("30")},
		"list":   []any{json.Number("1"), json.Number("2")},
		"ok":     true,
		"none":   nil,
	}
	if fmt.Sprintf("%#v", p) != fmt.Sprintf("%#v", want) {
		t.Errorf("properties\n got %#v\nwant %#v", p, want)
	}
	if ps := problemsOf(l, geo.ProblemNullGeometry, 0); len(ps) != 1 {
		t.Errorf("want one null-geometry remark, got %+v", l.Problems)
	}
}

func TestDecodeLayerEncoding(t *testing.T) {
	const doc = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"岳麓区"},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}
]}`
	utf16le := func(s string, bom bool) string {
		var b bytes.Buffer
		if bom {
			b.Write([]byte{0xFF, 0xFE})
		}
		for _, u := range utf16.Encode([]rune(s)) {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
		return b.String()
	}
	utf16be := func(s string) string {
		var b bytes.Buffer
		b.Write([]byte{0xFE, 0xFF})
		for _, u := range utf16.Encode([]rune(s)) {
			b.WriteByte(byte(u >> 8))
			b.WriteByte(byte(u))
		}
		return b.String()
	}

	t.Run("UTF-8 BOM accepted", func(t *testing.T) {
		l := mustDecode(t, "\xEF\xBB\xBF"+doc, geo.ReadOptions{})
		if len(l.Features) != 1 || l.Features[0].Properties["名称"] != "岳麓区" {
			t.Fatalf("features %+v", l.Features)
		}
		checkEqual(t, "line", l.Features[0].Line, 2)
		if len(l.Problems) != 0 {
			t.Errorf("problems %+v", l.Problems)
		}
	})
	for name, src := range map[string]string{
		"UTF-16LE with BOM": utf16le(doc, true),
		"UTF-16BE with BOM": utf16be(doc),
	} {
		t.Run(name+" rejected", func(t *testing.T) {
			_, err := decodeString(t, src, geo.ReadOptions{})
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("err %v, want ErrUnreadable", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "test.geojson") || !strings.Contains(msg, "UTF-16") || !strings.Contains(msg, "UTF-8") {
				t.Errorf("message %q should name the file and say UTF-16, re-save as UTF-8", msg)
			}
		})
	}
	t.Run("UTF-16LE without BOM rejected", func(t *testing.T) {
		// Unreadable either way; skipBOM sniffs the NUL bytes and says
		// UTF-16.
		_, err := decodeString(t, utf16le(doc, false), geo.ReadOptions{})
		if !errors.Is(err, ErrUnreadable) {
			t.Fatalf("err %v, want ErrUnreadable", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "UTF-16") {
			t.Errorf("message %q does not say UTF-16", msg)
		}
	})
}

func TestDecodeLayerUnreadable(t *testing.T) {
	const good = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}},
{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[113.0,28.3]}}
]}`
	tests := []struct {
		name string
		src  string
		msg  string // regexp
	}{
		{"truncated in a feature", good[:len(good)/2], `truncated`},
		{"truncated after a feature", good[:strings.Index(good, "},\n")+3], `truncated`},
		{"truncated before the end", strings.TrimSuffix(good, "}"), `truncated`},
		{"empty file", ``, `not JSON`},
		{"trailing garbage", good + "\nxyz", `trailing data after the top-level object`},
		{"two objects", good + good, `trailing data after the top-level object`},
		{"trailing comma", strings.Replace(good, "}}\n]", "}},\n]", 1), `not JSON`},
		{"array at top level", `[` + good + `]`, `top level is not a JSON object`},
		{"no type", `{"features":[]}`, `no "type" member`},
		{"unknown type", `{"type":"Topology","objects":{}}`, `"Topology", not a GeoJSON type`},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`, `"features" is not an array`},
		{"duplicate features", `{"type":"FeatureCollection","features":[],"features":[]}`, `duplicate "features" member`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := decodeString(t, tc.src, geo.ReadOptions{})
			if err == nil {
				t.Fatalf("no error; layer %+v", l)
			}
			if !errors.Is(err, ErrUnreadable) {
				t.Errorf("err %v does not wrap ErrUnreadable", err)
			}
			if !strings.HasPrefix(err.Error(), "geo: test.geojson: ") {
				t.Errorf("err %q does not start with the package and file name", err)
			}
			if !regexp.MustCompile(tc.msg).MatchString(err.Error()) {
				t.Errorf("err %q does not match %q", err, tc.msg)
			}
		})
	}
}

// TestDecodeLayerFirstErrorWins: features are parsed in batches while the
// next batch is cut from the stream, so a malformed feature and a cutting
// error later in the file are found out of order; the error reported must
// still be the first in the file, and at any GOMAXPROCS.
func TestDecodeLayerFirstErrorWins(t *testing.T) {
	feature := func(i int) string {
		return fmt.Sprintf(`{"type":"Feature","id":%d,"properties":{},"geometry":{"type":"Point","coordinates":[112.9,28.2]}}`, i)
	}
	build := func(n, malformed int, truncate bool, badSeparator ...int) string {
		var b strings.Builder
		b.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
		for i := 0; i < n; i++ {
			f := feature(i)
			if i == malformed {
				f = strings.Replace(f, `"id":`, `"id":tru`, 1) // cut fine, parse fails
			}
			if i > 0 {
				if len(badSeparator) > 0 && i == badSeparator[0] {
					b.WriteString(";\n") // the cut fails here
				} else {
					b.WriteString(",\n")
				}
			}
			b.WriteString(f)
		}
		if truncate {
			return b.String()[:b.Len()-20] // the cut of the last feature fails
		}
		b.WriteString("\n]}")
		return b.String()
	}
	tests := []struct {
		name string
		src  string
		msg  string
	}{
		{"malformed in the first batch, truncated later", build(700, 10, true), `^geo: test.geojson: unreadable GeoJSON: feature 10 \(line 12\): not JSON: malformed value of member "id"`},
		{"malformed in the second batch, truncated in the third", build(700, 300, true), `feature 300 \(line 302\)`},
		{"malformed in the last batch", build(700, 650, false), `feature 650 \(line 652\)`},
		{"truncated only", build(700, -1, true), `truncated`},
		{"malformed and a bad separator in the same batch", build(700, 10, false, 20), `feature 10 \(line 12\)`},
		{"bad separator only", build(700, -1, false, 20), `expected ',' or '\]' between features`},
	}
	for _, procs := range []int{1, 2, 4} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s/GOMAXPROCS=%d", tc.name, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				_, err := decodeString(t, tc.src, geo.ReadOptions{})
				if err == nil || !regexp.MustCompile(tc.msg).MatchString(err.Error()) {
					t.Fatalf("error %v, want %s", err, tc.msg)
				}
			})
		}
	}
}

// Coordinates near Changsha; EPSG:4547 is geo.CGCS2000 / 3-degree Gauss-Kruger
// CM 114E, whose area covers it (112.9E is 1.1 degrees west of the CM).
func TestDecodeLayerOldStyleCRS(t *testing.T) {
	crs4547, err := geo.ParseCRS("EPSG:4547")
	if err != nil {
		t.Fatal(err)
	}
	// A 0.1 x 0.1 degree square, counter-clockwise, in lon/lat:
	//
	//	(112.9,28.3) 3 ---- 2 (113.0,28.3)
	//	             |      |
	//	(112.9,28.2) 0 ---- 1 (113.0,28.2)
	square := orb.Ring{{112.9, 28.2}, {113.0, 28.2}, {113.0, 28.3}, {112.9, 28.3}, {112.9, 28.2}}
	var coords []string
	for _, p := range square {
		x, y := crs4547.FromLonLat(p[0], p[1])
		coords = append(coords, fmt.Sprintf("[%.4f,%.4f]", x, y))
	}
	feature := `{"type":"Feature","id":"P-1","properties":{},"geometry":{"type":"Polygon","coordinates":[[` + strings.Join(coords, ",") + `]]}}`
	crsMember := `"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}}`

	for name, src := range map[string]string{
		"crs first": `{"type":"FeatureCollection",` + crsMember + `,"features":[` + feature + `]}`,
		"crs last":  `{"type":"FeatureCollection","features":[` + feature + `],` + crsMember + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			l := mustDecode(t, src, geo.ReadOptions{})
			if l.CRS.EPSG != 4547 {
				t.Errorf("geo.CRS %v, want EPSG:4547", l.CRS)
			}
			ps := problemsOf(l, geo.ProblemCRS, -1)
			if len(ps) != 1 || !strings.Contains(ps[0].Message, `old-style "crs" member honoured: EPSG:4547`) {
				t.Errorf("want one geo.CRS warning, got %+v", l.Problems)
			}
			if len(l.Problems) != 1 {
				t.Errorf("problems %+v, want the geo.CRS warning only", l.Problems)
			}
			f := l.Features[0]
			if f.Invalid {
				t.Fatalf("feature invalid")
			}
			poly, ok := f.Geometry.(orb.Polygon)
			if !ok || len(poly) != 1 || len(poly[0]) != len(square) {
				t.Fatalf("geometry %v", f.Geometry)
			}
			for i, p := range poly[0] {
				// 1e-4 m of rounding in the input is ~1e-9 degrees.
				if math.Abs(p[0]-square[i][0]) > 1e-8 || math.Abs(p[1]-square[i][1]) > 1e-8 {
					t.Errorf("vertex %d: %v, want %v", i, p, square[i])
				}
			}
		})
	}

	t.Run("manifest agrees with the file", func(t *testing.T) {
		l := mustDecode(t, `{"type":"FeatureCollection",`+crsMember+`,"features":[`+feature+`]}`, geo.ReadOptions{CRS: &crs4547})
		ps := problemsOf(l, geo.ProblemCRS, -1)
		if l.CRS.EPSG != 4547 || len(ps) != 1 || !strings.Contains(ps[0].Message, "honoured: EPSG:4547") || l.Features[0].Invalid {
			t.Errorf("geo.CRS %v, problems %+v", l.CRS, l.Problems)
		}
	})

	t.Run("manifest wins over the file", func(t *testing.T) {
		crs4546, err := geo.ParseCRS("EPSG:4546") // CM 111E
		if err != nil {
			t.Fatal(err)
		}
		l := mustDecode(t, `{"type":"FeatureCollection",`+crsMember+`,"features":[`+feature+`]}`, geo.ReadOptions{CRS: &crs4546})
		ps := problemsOf(l, geo.ProblemCRS, -1)
		if l.CRS.EPSG != 4546 || len(ps) != 1 || !strings.Contains(ps[0].Message, `old-style "crs" member says EPSG:4547 but the manifest declares EPSG:4546; using the manifest's`) {
			t.Errorf("geo.CRS %v, problems %+v", l.CRS, l.Problems)
		}
	})

	t.Run("unsupported crs member", func(t *testing.T) {
		l := mustDecode(t, `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}`, geo.ReadOptions{})
		ps := problemsOf(l, geo.ProblemCRS, -1)
		if l.CRS.EPSG != 4326 || len(ps) != 1 || !strings.Contains(ps[0].Message, `"EPSG:3857"}} is not a supported EPSG name; it is ignored`) {
			t.Errorf("geo.CRS %v, problems %+v", l.CRS, l.Problems)
		}
	})

	t.Run("projected layer declared geographic", func(t *testing.T) {
		// The same file without its crs member: metres read as degrees.
		l := mustDecode(t, `{"type":"FeatureCollection","features":[`+feature+`,`+feature+`]}`, geo.ReadOptions{})
		ps := problemsOf(l, geo.ProblemCRS, -1)
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "declared geographic (EPSG:4326) but 2 feature(s) have coordinates that look projected") {
			t.Errorf("want one geo.CRS problem, got %+v", l.Problems)
		}
		for i := range l.Features {
			gs := problemsOf(l, geo.ProblemGeometry, i)
			if len(gs) != 1 || !strings.Contains(gs[0].Message, "is out of range for EPSG:4326") || !l.Features[i].Invalid {
				t.Errorf("feature %d: %+v", i, gs)
			}
		}
	})
}

// TestDecodeLayerGeometryProblems puts one invalid feature between two
// valid ones and checks that it gets exactly one geometry problem, is
// marked Invalid, and leaves its neighbours alone.
func TestDecodeLayerGeometryProblems(t *testing.T) {
	const valid = `{"type":"Feature","id":"ok","properties":{},"geometry":{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]]]}}`
	polygonLayer := geo.ReadOptions{GeometryTypes: []string{"Polygon", "MultiPolygon"}, LayerKind: "land-use"}
	tests := []struct {
		name string
		geom string
		opts geo.ReadOptions
		msg  string     // regexp on the problem message
		near *orb.Point // expected "at or near", within 1e-7
	}{
		{
			name: "LineString in a polygon layer",
			geom: `{"type":"LineString","coordinates":[[112.9,28.2],[113.0,28.3]]}`,
			opts: polygonLayer,
			msg:  `^a LineString in a land-use layer \(want Polygon or MultiPolygon\) at or near 112\.9 28\.2$`,
			near: &orb.Point{112.9, 28.2},
		},
		{
			name: "unclosed ring",
			// 3 ---- 2
			// |      |
			// 0 ---- 1   (no closing position)
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3]]]}`,
			msg:  `^exterior ring is not closed .*nothing is auto-closed.* at or near 112\.9 28\.2$`,
		},
		{
			name: "ring with 3 positions",
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[112.9,28.2]]]}`,
			msg:  `^exterior ring has 3 position\(s\); a linear ring needs at least 4`,
		},
		{
			name: "hole with 3 positions",
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]],[[112.95,28.25],[112.96,28.25],[112.95,28.25]]]}`,
			msg:  `^interior ring 1 has 3 position\(s\)`,
		},
		{
			name: "longitude out of range",
			geom: `{"type":"Point","coordinates":[181,28.2]}`,
			msg:  `^coordinate 181 28\.2 is out of range for EPSG:4326 \(lon -180\.\.180, lat -90\.\.90\)$`,
		},
		{
			name: "coordinate 1e400",
			geom: `{"type":"Point","coordinates":[1e400,28.2]}`,
			msg:  `^coordinate 1e400 is out of range \(not a finite float64\)$`,
		},
		{
			name: "bow-tie",
			// 3 (112.9,28.3)   2 (113.0,28.2)... drawn as:
			//
			//	3 ------- 1
			//	  \     /
			//	    \ /
			//	     X      edges 0-1 and 2-3 cross at (112.95, 28.25)
			//	    / \
			//	  /     \
			//	0 ------- 2
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.3],[113.0,28.2],[112.9,28.3],[112.9,28.2]]]}`,
			msg:  `^exterior ring crosses itself at or near 112\.95 28\.25$`,
			near: &orb.Point{112.95, 28.25},
		},
		{
			name: "spike",
			// A square whose top edge runs out to (112.95,28.35) and
			// straight back: the ring doubles back on itself.
			//
			//	        4
			//	        |
			//	6 ---- 3,5 ---- 2
			//	|               |
			//	0 ------------- 1
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.95,28.3],[112.95,28.35],[112.95,28.3],[112.9,28.3],[112.9,28.2]]]}`,
			msg:  `^exterior ring doubles back on itself \(a spike\) at or near 112\.95 28\.35$`,
			near: &orb.Point{112.95, 28.35},
		},
		{
			name: "spike through the closing vertex",
			// The spike's tip is the first (and last) position.
			geom: `{"type":"Polygon","coordinates":[[[112.85,28.2],[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2],[112.85,28.2]]]}`,
			msg:  `^exterior ring doubles back on itself \(a spike\) at or near 112\.85 28\.2$`,
		},
		{
			name: "ring touching itself",
			// An hourglass pinched at one vertex shared by two
			// non-adjacent edges (an "inverted" shell):
			//
			//	4 ----- 3
			//	  \   /
			//	    2,5      (112.95,28.25) visited twice
			//	  /   \
			//	0 ----- 1
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[112.95,28.25],[113.0,28.3],[112.9,28.3],[112.95,28.25],[112.9,28.2]]]}`,
			msg:  `^exterior ring touches itself .* at or near 112\.95 28\.25$`,
		},
		{
			name: "hole outside its shell",
			// shell 112.9..113.0, hole 113.1..113.2:
			//
			//	+------+   +--+
			//	| shell|   |h |
			//	+------+   +--+
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]],[[113.1,28.21],[113.1,28.29],[113.2,28.29],[113.2,28.21],[113.1,28.21]]]}`,
			msg:  `^interior ring 1 lies outside the exterior ring .* at or near 113\.1 28\.21$`,
		},
		{
			name: "hole crossing its shell",
			geom: `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]],[[112.95,28.21],[112.95,28.29],[113.05,28.29],[113.05,28.21],[112.95,28.21]]]}`,
			msg:  `^exterior ring and interior ring 1 cross, overlap along an edge or touch at more than one point at or near 113 28\.2[19]$`,
		},
		{
			name: "overlapping MultiPolygon parts",
			// Two squares, the second shifted by half a side:
			//
			//	+-----+
			//	|  +--+--+
			//	+--+--+  |
			//	   +-----+
			geom: `{"type":"MultiPolygon","coordinates":[[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]]],[[[112.95,28.15],[113.05,28.15],[113.05,28.25],[112.95,28.25],[112.95,28.15]]]]}`,
			msg:  `^MultiPolygon parts 1 and 2 overlap, or share an edge or more than one point .* at or near `,
		},
		{
			name: "MultiPolygon parts sharing an edge",
			geom: `{"type":"MultiPolygon","coordinates":[[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]]],[[[113.0,28.2],[113.1,28.2],[113.1,28.3],[113.0,28.3],[113.0,28.2]]]]}`,
			msg:  `^MultiPolygon parts 1 and 2 overlap, or share an edge`,
		},
		{
			name: "zero-length LineString",
			geom: `{"type":"LineString","coordinates":[[112.9,28.2],[112.9,28.2]]}`,
			msg:  `^LineString has fewer than 2 distinct positions \(zero length\) at or near 112\.9 28\.2$`,
		},
		{
			name: "bow-tie inside a GeometryCollection",
			geom: `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[112.9,28.2]},{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.3],[113.0,28.2],[112.9,28.3],[112.9,28.2]]]}]}`,
			msg:  `^GeometryCollection member 2: exterior ring crosses itself at or near 112\.95 28\.25$`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := `{"type":"FeatureCollection","features":[
` + valid + `,
{"type":"Feature","id":"bad","properties":{"k":1},"geometry":` + tc.geom + `},
` + valid + `
]}`
			l := mustDecode(t, src, tc.opts)
			if len(l.Features) != 3 {
				t.Fatalf("%d features", len(l.Features))
			}
			if len(l.Problems) != 1 {
				t.Errorf("want exactly one problem, got %+v", l.Problems)
			}
			ps := problemsOf(l, geo.ProblemGeometry, 1)
			if len(ps) != 1 {
				t.Fatalf("want one geometry problem on feature 1, got %+v", l.Problems)
			}
			p, bad := ps[0], l.Features[1]
			if !regexp.MustCompile(tc.msg).MatchString(p.Message) {
				t.Errorf("message %q does not match %q", p.Message, tc.msg)
			}
			if p.Line != 3 || bad.Line != 3 {
				t.Errorf("problem line %d, feature line %d, want 3", p.Line, bad.Line)
			}
			if tc.near != nil {
				if p.At == nil || math.Abs(p.At[0]-tc.near[0]) > 1e-7 || math.Abs(p.At[1]-tc.near[1]) > 1e-7 {
					t.Errorf("at %v, want near %v", p.At, *tc.near)
				}
			}
			if !bad.Invalid || bad.ID != "bad" || bad.Properties["k"] != json.Number("1") {
				t.Errorf("invalid feature %+v", bad)
			}
			for _, i := range []int{0, 2} {
				f := l.Features[i]
				want := orb.Polygon{{{112.9, 28.2}, {113.0, 28.2}, {113.0, 28.3}, {112.9, 28.3}, {112.9, 28.2}}}
				if f.Invalid || f.ID != "ok" || !orb.Equal(f.Geometry, want) {
					t.Errorf("valid feature %d touched: %+v", i, f)
				}
			}
		})
	}
}

// TestDecodeLayerValidShapes: shapes that look odd but are valid read
// without a geometry problem.
func TestDecodeLayerValidShapes(t *testing.T) {
	tests := map[string]string{
		"repeated position": `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]]]}`,
		"hole touching its shell at a point": `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]],
			[[112.9,28.2],[112.95,28.28],[112.98,28.25],[112.9,28.2]]]}`,
		"MultiPolygon parts touching at a point": `{"type":"MultiPolygon","coordinates":[[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]]],[[[113.0,28.3],[113.1,28.3],[113.1,28.4],[113.0,28.4],[113.0,28.3]]]]}`,
		// A needle 1e-7 degrees wide at its base: thin, but its edges do
		// not fold onto each other.
		"thin needle, not a spike":           `{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9500001,28.3],[112.95,28.35],[112.95,28.3],[112.9,28.3],[112.9,28.2]]]}`,
		"3D positions":                       `{"type":"Polygon","coordinates":[[[112.9,28.2,50],[113.0,28.2,51],[113.0,28.3,52],[112.9,28.3,53],[112.9,28.2,50]]]}`,
		"antimeridian cut (RFC 7946 §3.1.9)": `{"type":"MultiPolygon","coordinates":[[[[180.0,40.0],[180.0,50.0],[170.0,50.0],[170.0,40.0],[180.0,40.0]]],[[[-170.0,40.0],[-170.0,50.0],[-180.0,50.0],[-180.0,40.0],[-170.0,40.0]]]]}`,
	}
	for name, g := range tests {
		t.Run(name, func(t *testing.T) {
			l := mustDecode(t, `{"type":"Feature","properties":{},"geometry":`+g+`}`, geo.ReadOptions{})
			if ps := problemsOf(l, geo.ProblemGeometry, 0); len(ps) != 0 || l.Features[0].Invalid {
				t.Errorf("problems %+v", ps)
			}
		})
	}
}

func TestReadLayerFile(t *testing.T) {
	l, err := ReadLayer(context.Background(), "testdata/rfc7946-examples/1.5-featurecollection.geojson", geo.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.File != "testdata/rfc7946-examples/1.5-featurecollection.geojson" || len(l.Features) != 3 || len(l.SHA256) != 64 || l.Bytes == 0 {
		t.Errorf("layer %s: %d features, sha %q, %d bytes", l.File, len(l.Features), l.SHA256, l.Bytes)
	}
	// The digest is taken on its own goroutine from copies of the input:
	// a file of several buffers must hash as the file itself does.
	for _, path := range []string{"testdata/rfc7946-examples/1.5-featurecollection.geojson", "../../fixtures/czt/layers/land-use.geojson"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ReadLayer(context.Background(), path, geo.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%x", sha256.Sum256(data)); l.SHA256 != want || l.Bytes != int64(len(data)) {
			t.Errorf("%s: sha256 %s, %d bytes; want %s, %d", path, l.SHA256, l.Bytes, want, len(data))
		}
	}
	_, err = ReadLayer(context.Background(), "testdata/no-such-file.geojson", geo.ReadOptions{})
	if err == nil || errors.Is(err, ErrUnreadable) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err %v, want a wrapped os.ErrNotExist", err)
	}
}

func ExampleDecodeLayer() {
	// Two features: a valid square and a bow-tie.
	src := `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"A-1","properties":{"code":"0701","area":12.5},
 "geometry":{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.2],[113.0,28.3],[112.9,28.3],[112.9,28.2]]]}},
{"type":"Feature","id":"A-2","properties":{"code":"0701"},
 "geometry":{"type":"Polygon","coordinates":[[[112.9,28.2],[113.0,28.3],[113.0,28.2],[112.9,28.3],[112.9,28.2]]]}}
]}`
	layer, err := DecodeLayer(context.Background(), strings.NewReader(src), "land-use.geojson", geo.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range layer.Features {
		fmt.Printf("%s invalid=%v area=%v\n", f.ID, f.Invalid, f.Properties["area"])
	}
	for _, p := range layer.Problems {
		fmt.Printf("%s#%s: %s\n", layer.File, layer.Features[p.Feature].ID, p.Message)
	}
	// Output:
	// A-1 invalid=false area=12.5
	// A-2 invalid=true area=<nil>
	// land-use.geojson#A-2: exterior ring crosses itself at or near 112.95 28.25
}

// TestPropertiesPaths: the map-free path typing callers take
// (checkProperties + Properties.Get) accepts exactly what parseProperties
// accepts and reads the same values.
func TestPropertiesPaths(t *testing.T) {
	for _, raw := range []string{
		`{}`,
		`{"id": "A-1", "class": "R2", "n": 12.50, "ok": true, "no": false, "nil": null}`,
		`{"class": "R2", "class": "M1"}`,
		`{"name": "\u957f\u6c99 \"x\"", "tab": "a\tb"}`,
		`{"nested": {"a": [1, 2, {"b": null}]}, "list": [1e3, -0.5]}`,
		`{"bad": trueX}`,
		`{"bad": "ctl` + "\x01" + `"}`,
		`{"bad": "esc \q"}`,
		`{"bad": 1.2.3}`,
		`{"bad": }`,
		`[1, 2]`,
		`"text"`,
	} {
		want, werr := parseProperties([]byte(raw))
		ms, gerr := checkProperties([]byte(raw), nil)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: parseProperties error %v, checkProperties error %v", raw, werr, gerr)
			continue
		}
		if werr != nil {
			continue
		}
		p := geo.PropertiesOf(ms)
		for k, v := range want {
			got, ok := p.Get(k)
			if !ok || !reflect.DeepEqual(got, v) {
				t.Errorf("%s: Get(%q) = %#v, %v; want %#v", raw, k, got, ok, v)
			}
		}
		if _, ok := p.Get("absent"); ok {
			t.Errorf("%s: Get(absent) found a value", raw)
		}
		// String agrees with Get on strings and declines the rest.
		for k, v := range want {
			got, ok := p.String(k)
			str, isString := v.(string)
			if ok != isString || got != str {
				t.Errorf("%s: String(%q) = %q, %v; Get gives %#v", raw, k, got, ok, v)
			}
		}
		if _, ok := p.String("absent"); ok {
			t.Errorf("%s: String(absent) found a value", raw)
		}
	}
}

// procsChanger is a reader that changes GOMAXPROCS once after `after`
// bytes, as the runtime may when a container's CPU limit changes.
type procsChanger struct {
	r       io.Reader
	n       int
	after   int
	procs   int
	changed bool
}

func (p *procsChanger) Read(b []byte) (int, error) {
	if !p.changed && p.n >= p.after {
		runtime.GOMAXPROCS(p.procs)
		p.changed = true
	}
	n, err := p.r.Read(b[:min(len(b), 4096)])
	p.n += n
	return n, err
}

// TestReadWhileGOMAXPROCSChanges: per-worker state is sized once per read,
// so more workers appearing mid-read must not index past it (a panic in a
// worker would end the process).
func TestReadWhileGOMAXPROCSChanges(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := 0; i < 3000; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"id":"F-%d"},"geometry":{"type":"Polygon","coordinates":[[[112.9,28.2],[112.91,28.2],[112.91,28.21],[112.9,28.2]]]}}`, i)
	}
	b.WriteString("]}")
	for _, procs := range [][2]int{{1, 4}, {4, 1}, {2, 8}} {
		func() {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs[0]))
			r := &procsChanger{r: strings.NewReader(b.String()), after: 100_000, procs: procs[1]}
			l, err := DecodeLayer(context.Background(), r, "procs.geojson", geo.ReadOptions{})
			if err != nil || len(l.Features) != 3000 {
				t.Fatalf("GOMAXPROCS %d -> %d: %v", procs[0], procs[1], err)
			}
		}()
	}
}

// TestLargeFeaturesBatchByBytes: features large enough that a batch ends
// on its text size rather than its count still come out in order, each
// with its own line and geometry.
func TestLargeFeaturesBatchByBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 40 MB")
	}
	const n, vertices = 40, 40_000 // about 1 MB of text each
	var b strings.Builder
	b.WriteString("{\"type\":\"FeatureCollection\",\"features\":[\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":%d,"properties":{},"geometry":{"type":"LineString","coordinates":[`, i)
		for v := 0; v < vertices; v++ {
			if v > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[%d.%07d,28.%07d]", 112+i%2, v, v)
		}
		b.WriteString("]}}")
	}
	b.WriteString("\n]}")
	if b.Len() < 2*maxBatchBytes {
		t.Fatalf("%d bytes do not span two batches of %d", b.Len(), maxBatchBytes)
	}
	l, err := DecodeLayer(context.Background(), strings.NewReader(b.String()), "big.geojson", geo.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Features) != n || len(l.Problems) != 0 {
		t.Fatalf("%d features, problems %v", len(l.Features), l.Problems)
	}
	for i, f := range l.Features {
		ls := f.Geometry.(orb.LineString)
		if f.ID != strconv.Itoa(i) || f.Line != i+2 || len(ls) != vertices || ls[1] != (orb.Point{float64(112+i%2) + 1e-7, 28 + 1e-7}) {
			t.Fatalf("feature %d: id %s line %d, %d vertices, second %v", i, f.ID, f.Line, len(ls), ls[1])
		}
	}
}
