package shapefile

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// Rings in Shapefile order: exteriors clockwise (cw), holes
// counter-clockwise (ccw). Expected results were worked out by hand from
// the sketches and agree with what GDAL's ogr2ogr makes of the same files
// (see TestRingAssemblyAgreesWithGDAL).
func cw(x0, y0, x1, y1 float64) []orb.Point {
	return []orb.Point{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}}
}

func ccw(x0, y0, x1, y1 float64) []orb.Point {
	return []orb.Point{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// describe gives a polygon's structure as "[outer(bound) hole(bound)]…"
// with each ring's orientation.
func describe(g orb.Geometry) string {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return fmt.Sprintf("%T", g)
	}
	var b strings.Builder
	if _, ok := g.(orb.MultiPolygon); ok {
		b.WriteString("multi")
	}
	for _, p := range polys {
		b.WriteString("[")
		for i, r := range p {
			if i > 0 {
				b.WriteString(" ")
			}
			o := "ccw"
			if signedArea(r) < 0 {
				o = "cw"
			}
			bd := r.Bound()
			fmt.Fprintf(&b, "%s%v-%v", o, bd.Min, bd.Max)
		}
		b.WriteString("]")
	}
	return b.String()
}

func TestAssemble(t *testing.T) {
	tests := []struct {
		name   string
		rings  [][]orb.Point
		want   string
		orphan bool
	}{
		{
			// +------+
			// |      |
			// +------+   one clockwise ring: a polygon, turned ccw
			name:  "one ring",
			rings: [][]orb.Point{cw(0, 0, 4, 4)},
			want:  "[ccw[0 0]-[4 4]]",
		},
		{
			// +--------+
			// | +--+   |
			// | |h |   |  shell then hole
			// | +--+   |
			// +--------+
			name:  "shell and hole",
			rings: [][]orb.Point{cw(0, 0, 10, 10), ccw(2, 2, 4, 4)},
			want:  "[ccw[0 0]-[10 10] cw[2 2]-[4 4]]",
		},
		{
			// A +----+   B +----+
			//   | a  |     | b  |   holes listed before and after the
			//   +----+     +----+   shells, each in the other shell's turn
			name:  "holes out of order",
			rings: [][]orb.Point{ccw(22, 2, 24, 4), cw(0, 0, 10, 10), ccw(2, 2, 4, 4), cw(20, 0, 30, 10)},
			want:  "multi[ccw[0 0]-[10 10] cw[2 2]-[4 4]][ccw[20 0]-[30 10] cw[22 2]-[24 4]]",
		},
		{
			// +-------------+
			// | +---------+ |
			// | | +-----+ | |  island (cw) in a lake (ccw) in an island;
			// | | | +-+ | | |  the pond (ccw) in the inner island belongs
			// | | | +-+ | | |  to the inner island, the smallest shell
			// | | +-----+ | |  containing it
			// | +---------+ |
			// +-------------+
			name:  "nested islands",
			rings: [][]orb.Point{cw(0, 0, 100, 100), ccw(10, 10, 90, 90), cw(20, 20, 80, 80), ccw(40, 40, 60, 60)},
			want:  "multi[ccw[0 0]-[100 100] cw[10 10]-[90 90]][ccw[20 20]-[80 80] cw[40 40]-[60 60]]",
		},
		{
			// A hole touching its shell at a vertex: its other vertices
			// decide.
			name:  "hole touching the shell",
			rings: [][]orb.Point{cw(0, 0, 10, 10), ccw(0, 0, 4, 4)},
			want:  "[ccw[0 0]-[10 10] cw[0 0]-[4 4]]",
		},
		{
			// +---+      +---+
			// |   |      | o |  a ccw ring in no shell: its own polygon,
			// +---+      +---+  as GDAL reads it
			name:   "orphan counter-clockwise ring",
			rings:  [][]orb.Point{cw(0, 0, 4, 4), ccw(10, 0, 14, 4)},
			want:   "multi[ccw[0 0]-[4 4]][ccw[10 0]-[14 4]]",
			orphan: true,
		},
		{
			name:   "only counter-clockwise",
			rings:  [][]orb.Point{ccw(0, 0, 4, 4)},
			want:   "[ccw[0 0]-[4 4]]",
			orphan: true,
		},
		{
			// The hole's bound fits the L-shaped shell's bound, but the
			// hole is in the notch, outside the shell.
			//  +--+
			//  |  |  +-+
			//  |  +--|o|-+
			//  +-----+-+-+
			name:   "hole in the bound but not in the shell",
			rings:  [][]orb.Point{{{0, 0}, {0, 10}, {2, 10}, {2, 2}, {10, 2}, {10, 0}, {0, 0}}, ccw(5, 5, 6, 6)},
			want:   "multi[ccw[0 0]-[10 10]][ccw[5 5]-[6 6]]",
			orphan: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rings := make([]orb.Ring, len(tt.rings))
			for i, r := range tt.rings {
				rings[i] = append(orb.Ring(nil), r...)
			}
			g, orphan := assemble(rings)
			if got := describe(g); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if orphan != tt.orphan {
				t.Errorf("orphan = %v", orphan)
			}
		})
	}
}

// TestRingOrderWarning: a record with an orphan ring is read, with one
// warning naming the record.
func TestRingOrderWarning(t *testing.T) {
	rec := recordParts(Polygon, [][]orb.Point{cw(0, 0, 4, 4), ccw(10, 0, 14, 4)})
	good := recordParts(Polygon, [][]orb.Point{cw(0, 0, 4, 4)})
	shp := writeLayer(t, t.TempDir(), "x", Polygon, [][]byte{good, rec, rec}, "")
	l, err := Read(context.Background(), shp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Warnings) != 1 || l.Warnings[0].Kind != WarnRingOrder || l.Warnings[0].Record != 2 || l.Warnings[0].Count != 2 {
		t.Errorf("warnings %v", l.Warnings)
	}
	if _, ok := l.Features[1].Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("record 2: %v", l.Features[1].Geometry)
	}
}

// TestAllShapeTypes reads one record of every supported type, Z and M
// dropped, plus a Null shape in each.
func TestAllShapeTypes(t *testing.T) {
	line := [][]orb.Point{{{0, 0}, {1, 1}, {2, 0}}}
	for _, typ := range []ShapeType{PolyLine, PolyLineZ, PolyLineM, Polygon, PolygonZ, PolygonM} {
		rec := recordParts(typ, line)
		want := "LineString"
		if typ.Base() == Polygon {
			rec, want = recordParts(typ, [][]orb.Point{cw(0, 0, 1, 1)}), "Polygon"
		}
		shp := writeLayer(t, t.TempDir(), "x", typ, [][]byte{rec, recordNull()}, "")
		l := mustRead(t, shp, Options{})
		if g := l.Features[0].Geometry; g == nil || g.GeoJSONType() != want || l.Features[1].Geometry != nil {
			t.Errorf("%s: %v, %v", typ, g, l.Features[1].Geometry)
		}
	}
	for _, typ := range []ShapeType{Point, PointZ, PointM, MultiPoint, MultiPointZ, MultiPointM} {
		var rec []byte
		var want orb.Geometry
		switch typ {
		case Point:
			rec, want = recordPoint(orb.Point{1, 2}), orb.Point{1, 2}
		case PointZ, PointM:
			rec = append(recordPoint(orb.Point{1, 2}), make([]byte, 16)...)
			rec[0] = byte(typ)
			want = orb.Point{1, 2}
		default:
			rec = recordParts(typ, [][]orb.Point{{{1, 2}, {3, 4}}})
			// A MultiPoint record has no parts array: drop NumParts'
			// slot and the one part index.
			rec = append(append(append([]byte{}, rec[:36]...), rec[40:44]...), rec[48:]...)
			want = orb.MultiPoint{{1, 2}, {3, 4}}
		}
		shp := writeLayer(t, t.TempDir(), "x", typ, [][]byte{rec, recordNull()}, "")
		l := mustRead(t, shp, Options{})
		if g := l.Features[0].Geometry; fmt.Sprint(g) != fmt.Sprint(want) || l.Features[1].Geometry != nil {
			t.Errorf("%s: %v, %v", typ, g, l.Features[1].Geometry)
		}
	}
	// A layer of Null shapes only.
	shp := writeLayer(t, t.TempDir(), "x", NullShape, [][]byte{recordNull()}, "")
	if l := mustRead(t, shp, Options{}); len(l.Features) != 1 || l.Features[0].Geometry != nil || l.Features[0].Problem != nil {
		t.Errorf("null layer: %+v", l.Features)
	}
}
