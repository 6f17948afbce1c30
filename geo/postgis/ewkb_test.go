package postgis

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	gogeom "github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// allGeometries is one of every geometry kind go-geom decodes from EWKB
// and the orb value each must become, empty ones included (after orb's
// AllGeometries). The 3D and measured ones keep X and Y.
func allGeometries() []struct {
	name string
	in   gogeom.T
	want orb.Geometry
} {
	ring := []gogeom.Coord{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	hole := []gogeom.Coord{{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}
	orbRing := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	orbHole := orb.Ring{{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}
	return []struct {
		name string
		in   gogeom.T
		want orb.Geometry
	}{
		{"point", gogeom.NewPointFlat(gogeom.XY, []float64{112.9, 28.2}), orb.Point{112.9, 28.2}},
		{"point z", gogeom.NewPointFlat(gogeom.XYZ, []float64{1, 2, 3}), orb.Point{1, 2}},
		{"point m", gogeom.NewPointFlat(gogeom.XYM, []float64{1, 2, 9}), orb.Point{1, 2}},
		{"point zm", gogeom.NewPointFlat(gogeom.XYZM, []float64{1, 2, 3, 9}), orb.Point{1, 2}},
		{"linestring", gogeom.NewLineString(gogeom.XY).MustSetCoords([]gogeom.Coord{{0, 0}, {1, 1}, {2, 0}}), orb.LineString{{0, 0}, {1, 1}, {2, 0}}},
		{"linestring zm", gogeom.NewLineString(gogeom.XYZM).MustSetCoords([]gogeom.Coord{{0, 0, 5, 6}, {1, 1, 7, 8}}), orb.LineString{{0, 0}, {1, 1}}},
		{"empty linestring", gogeom.NewLineString(gogeom.XY), orb.LineString{}},
		{"polygon", gogeom.NewPolygon(gogeom.XY).MustSetCoords([][]gogeom.Coord{ring}), orb.Polygon{orbRing}},
		{"polygon with hole", gogeom.NewPolygon(gogeom.XY).MustSetCoords([][]gogeom.Coord{ring, hole}), orb.Polygon{orbRing, orbHole}},
		{"polygon z", gogeom.NewPolygon(gogeom.XYZ).MustSetCoords([][]gogeom.Coord{{{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 0, 1}}}), orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
		{"empty polygon", gogeom.NewPolygon(gogeom.XY), orb.Polygon{}},
		{"multipoint", gogeom.NewMultiPoint(gogeom.XY).MustSetCoords([]gogeom.Coord{{1, 2}, {3, 4}}), orb.MultiPoint{{1, 2}, {3, 4}}},
		{"empty multipoint", gogeom.NewMultiPoint(gogeom.XY), orb.MultiPoint{}},
		{"multilinestring", gogeom.NewMultiLineString(gogeom.XY).MustSetCoords([][]gogeom.Coord{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}, {4, 2}}}), orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}, {4, 2}}}},
		{"empty multilinestring", gogeom.NewMultiLineString(gogeom.XY), orb.MultiLineString{}},
		{"multipolygon", gogeom.NewMultiPolygon(gogeom.XY).MustSetCoords([][][]gogeom.Coord{{ring, hole}, {{{20, 0}, {30, 0}, {30, 10}, {20, 0}}}}), orb.MultiPolygon{{orbRing, orbHole}, {{{20, 0}, {30, 0}, {30, 10}, {20, 0}}}}},
		{"multipolygon xym", gogeom.NewMultiPolygon(gogeom.XYM).MustSetCoords([][][]gogeom.Coord{{{{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 0, 1}}}}), orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}},
		{"empty multipolygon", gogeom.NewMultiPolygon(gogeom.XY), orb.MultiPolygon{}},
	}
}

func TestFromGoGeom(t *testing.T) {
	for _, tc := range allGeometries() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := geo.FromGoGeom(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	for name, in := range map[string]gogeom.T{
		"empty point":              gogeom.NewPointEmpty(gogeom.XY),
		"multipoint with empty":    gogeom.NewMultiPoint(gogeom.XY).MustSetCoords([]gogeom.Coord{{1, 2}, {math.NaN(), math.NaN()}}),
		"geometry collection":      gogeom.NewGeometryCollection().MustPush(gogeom.NewPointFlat(gogeom.XY, []float64{1, 2})),
		"empty geometrycollection": gogeom.NewGeometryCollection(),
	} {
		t.Run(name, func(t *testing.T) {
			if g, err := geo.FromGoGeom(in); err == nil {
				t.Errorf("got %#v, want an error", g)
			}
		})
	}
	if g, err := geo.FromGoGeom(nil); g != nil || err != nil {
		t.Errorf("nil: got %v, %v", g, err)
	}
}

// TestDecodeEWKB encodes every kind with go-geom's EWKB writer, in both
// byte orders and with and without an SRID, and decodes it again.
func TestDecodeEWKB(t *testing.T) {
	for _, tc := range allGeometries() {
		for _, order := range []binary.ByteOrder{ewkb.NDR, ewkb.XDR} {
			for _, srid := range []int{0, 4547} {
				t.Run(tc.name+"/"+order.String()+"/"+map[int]string{0: "no srid", 4547: "srid"}[srid], func(t *testing.T) {
					b := mustEWKB(t, tc.in, order, srid)
					got, gotSRID, ok, err := decodeEWKB(b, 1000)
					if err != nil {
						t.Fatal(err)
					}
					if !ok || gotSRID != srid {
						t.Errorf("SRID %d (%v), want %d", gotSRID, ok, srid)
					}
					if !reflect.DeepEqual(got, tc.want) {
						t.Errorf("got %#v, want %#v", got, tc.want)
					}
				})
			}
		}
	}
}

func mustEWKB(t *testing.T, g gogeom.T, order binary.ByteOrder, srid int) []byte {
	t.Helper()
	switch g := g.(type) {
	case *gogeom.Point:
		g.SetSRID(srid)
	case *gogeom.LineString:
		g.SetSRID(srid)
	case *gogeom.Polygon:
		g.SetSRID(srid)
	case *gogeom.MultiPoint:
		g.SetSRID(srid)
	case *gogeom.MultiLineString:
		g.SetSRID(srid)
	case *gogeom.MultiPolygon:
		g.SetSRID(srid)
	case *gogeom.GeometryCollection:
		g.SetSRID(srid)
	}
	b, err := ewkb.Marshal(g, order)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeEWKBProblems feeds values no PostGIS should send, and values
// it does send that orb has no value for: each is an error, never a panic
// or an allocation of what a count claims.
func TestDecodeEWKBProblems(t *testing.T) {
	hexes := map[string]string{
		// POINT(1 2), little-endian.
		"point": "0101000000000000000000f03f0000000000000040",
	}
	nan := mustEWKB(t, gogeom.NewLineString(gogeom.XY).MustSetCoords([]gogeom.Coord{{1, 2}, {math.NaN(), 3}}), ewkb.NDR, 0)
	inf := mustEWKB(t, gogeom.NewPolygon(gogeom.XY).MustSetCoords([][]gogeom.Coord{{{0, 0}, {1, 0}, {1, math.Inf(1)}, {0, 0}}}), ewkb.NDR, 4326)
	nanX := mustEWKB(t, gogeom.NewPointFlat(gogeom.XY, []float64{math.NaN(), 0}), ewkb.NDR, 0)
	emptyPoint := mustEWKB(t, gogeom.NewPointEmpty(gogeom.XY), ewkb.NDR, 0)
	gc := mustEWKB(t, gogeom.NewGeometryCollection().MustPush(gogeom.NewPointFlat(gogeom.XY, []float64{1, 2})), ewkb.NDR, 0)
	square := mustEWKB(t, gogeom.NewPolygon(gogeom.XY).MustSetCoords([][]gogeom.Coord{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}), ewkb.NDR, 0)
	point, _ := hex.DecodeString(hexes["point"])
	le := binary.LittleEndian
	header := func(typ uint32) []byte { return le.AppendUint32([]byte{1}, typ) }
	cases := []struct {
		name string
		b    []byte
		max  int
		want string
	}{
		{"nothing", nil, 100, "truncated"},
		{"byte order", append([]byte{7}, point[1:]...), 100, "bad byte order 7"},
		{"truncated point", point[:len(point)-1], 100, "truncated"},
		{"truncated header", point[:3], 100, "truncated"},
		{"trailing bytes", append(append([]byte{}, point...), 0), 100, "1 bytes after the geometry"},
		{"unknown type", header(99), 100, "unknown geometry type 99"},
		{"huge linestring count", le.AppendUint32(header(2), 0xFFFFFFFF), 100, "truncated"},
		{"huge ring count", le.AppendUint32(header(3), 0x7FFFFFFF), 100, "truncated"},
		{"huge multipolygon count", le.AppendUint32(header(6), 0x7FFFFFFF), 100, "truncated"},
		{"point in a multipolygon", append(le.AppendUint32(header(6), 1), point...), 100, "a Point inside a MultiPolygon"},
		{"circularstring", le.AppendUint32(header(8), 0), 100, "a CircularString is not read"},
		{"curvepolygon", le.AppendUint32(header(10|ewkbSRID), 4326), 100, "a CurvePolygon is not read"},
		{"tin", le.AppendUint32(header(16), 0), 100, "a TIN is not read"},
		{"geometrycollection", gc, 100, "GeometryCollection is not read"},
		{"nan", nan, 100, "NaN coordinate (point 2 of 2) at or near 1 2"},
		{"nan x", nanX, 100, "NaN coordinate (point 1 of 1)"},
		{"infinite", inf, 100, "infinite coordinate (point 3 of 4) at or near 1 0"},
		{"empty point", emptyPoint, 100, "empty point"},
		{"too many points", square, 4, "more than 4 points"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, _, _, err := decodeEWKB(tc.b, tc.max)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, %v; want an error with %q", g, err, tc.want)
			}
			if g != nil {
				t.Errorf("geometry %v with the error", g)
			}
		})
	}
	if _, _, _, err := decodeEWKB(square, 5); err != nil {
		t.Errorf("5 points with a limit of 5: %v", err)
	}
	if _, srid, ok, _ := decodeEWKB(inf, 100); !ok || srid != 4326 {
		t.Errorf("a bad geometry's SRID: %d, %v; want 4326 from its header", srid, ok)
	}
}
